# English. Keep the keys equal to nl.ftl; a test checks that.

skip-to-content = Skip to content
language-switch = Nederlands
nav-label = Main menu
nav-home = Home
nav-accessibility = Accessibility
nav-api = API for organisations
footer-about = Mantelkring is free software for informal caregivers and the people around them.

home-title = Home
home-heading = Caring together for those who care
home-lead = Do you look after an older person who lives at home? Then you are an informal caregiver. Mantelkring helps you and the people around you, so that together you can keep up the care.
home-audiences-heading = Who is Mantelkring for?
home-caregivers-title = For caregivers
home-caregivers-text = You tell your story once. You decide who can see it. You find help and support close to home.
home-network-title = For family, neighbours and volunteers
home-network-text = You see what is needed and who does what. You can take on a task, such as shopping or a visit.
home-professionals-title = For care, welfare and the municipality
home-professionals-text = You work together around the caregiver. You notice in time when it gets too much. Only with the caregiver's consent.
home-regions-heading = Where does Mantelkring work?
home-regions-empty = No region has been set up yet.
home-region-municipalities = Municipalities:
home-region-organisations = { $count ->
    [one] One organisation works together here.
   *[other] { $count } organisations work together here.
}
home-help-heading = Is caring getting too much?
home-help-text = Do not wait too long. Talk about it with your GP or with the caregiver consultant in your municipality. They will think along with you.

a11y-title = Accessibility statement
a11y-intro = Everyone must be able to use Mantelkring. Also if you do not see well, do not use a mouse, or only have a phone.
a11y-standard-heading = Which requirements do we meet?
a11y-standard-text = Mantelkring aims to meet the WCAG 2.1 guidelines, level AA (the European standard EN 301 549). These requirements apply to government websites in the Netherlands.
a11y-how-heading = How do we check this?
a11y-how-automatic = With every new version a program (axe-core) checks all pages in a real browser.
a11y-how-keyboard = All pages work with the keyboard alone, and also without JavaScript.
a11y-how-phone = All pages work on the narrow screen of a phone.
a11y-how-language = We write in plain Dutch (language level B1). Everything can also be read in English.
a11y-limits-heading = What does not work well yet?
a11y-limits-text = We know of no problems at the moment. Did you find something that does not work? Let us know and we will fix it.
a11y-contact-heading = Found something that does not work?
a11y-contact-text = Contact the organisation that offers Mantelkring in your region. Tell them on which page it was and what went wrong. You will get an answer within five working days.
a11y-date = This statement was drawn up on 24 November 2026.

api-title = API for organisations
api-intro = Organisations and municipalities can use Mantelkring's data in their own systems. Below is what the API can do. The full description is in the OpenAPI document.
api-openapi-link = OpenAPI document (JSON)
api-version = version { $version }
api-operations-heading = What the API can do
api-responses = Possible responses:

error-home-link = Go to the home page
error-code = Error code { $code }
error-400-title = This request is not right
error-400-text = We cannot use the data we received. Go back and try again.
error-403-title = No access
error-403-text = You may not see this page, or the form had expired. Go back, reload the page and try again.
error-404-title = This page does not exist
error-404-text = The page may have moved, or there is a typing error in the address. Start again on the home page.
error-405-title = This is not possible here
error-405-text = This page cannot be used in this way. Go back to the previous page.
error-408-title = This took too long
error-408-text = Your request took too long. Try again in a few minutes.
error-413-title = This is too large
error-413-text = What you sent is too large. Make it smaller and try again.
error-422-title = The form is not filled in correctly
error-422-text = One or more fields are missing or not right. Go back and check the form.
error-429-title = Please wait
error-429-text = Too many requests came in at once. Wait a few minutes and try again.
error-500-title = Something went wrong
error-500-text = This is our fault, not yours. Nothing was saved. Please try again later.
error-503-title = Mantelkring is briefly unavailable
error-503-text = We are working on it. Please try again in a few minutes.

login = Log in
logout = Log out
logout-everywhere = Log out everywhere
nav-account = My account
nav-access-log = Who has seen my data
login-title = Log in
login-email = E-mail address
login-password = Password
login-submit = Log in
login-invalid-email = Enter a valid e-mail address, such as name@example.nl.
login-missing-password = Enter your password.
login-password-too-long = This password is too long. A password has at most 1024 characters.
login-failed = The e-mail address or the password is not right. Please try again.
login-locked = { $minutes ->
    [one] You entered something wrong too often. Try again in 1 minute.
   *[other] You entered something wrong too often. Try again in { $minutes } minutes.
}
code-title = Enter your code
code-intro = You work with data about other people's health. That is why we ask for a second step: the code from your app.
code-label = Code
code-hint = The 6 digits from your authenticator app. No phone at hand? Enter one of your recovery codes instead.
code-submit = Continue
code-invalid = Enter the 6 digits from your app, or a recovery code.
code-failed = This code is not right, or was used already. Wait for a new code and try again.
account-title = My account
account-name = Name
account-email = E-mail address
account-roles = Roles
account-second-factor = Second step at login
account-second-factor-yes = Done in this session
account-second-factor-no = Not done in this session
account-sessions-heading = Logged in on other devices?
account-sessions-text = This button logs you out everywhere, on every device. Useful if you lost a phone or computer.
person-municipality = Municipality
person-contact-heading = Contact details
person-phone = Phone
person-postcode = Postcode
person-contact-hidden = You do not see the contact details. The caregiver has not shared them with you.
access-log-title = Who has seen my data
access-log-intro = Here you see which organisations looked at your data, when, and what. We do not show the names of employees.
access-log-empty = Nobody else has looked at your data.
access-log-when = When
access-log-organisation = Organisation
access-log-role = Role
access-log-what = What
access-log-no-organisation = No organisation (a person)
role-caregiver = caregiver
role-network-member = network member
role-volunteer = volunteer
role-professional = professional
role-volunteer-coordinator = volunteer coordinator
role-organisation-editor = social map editor
role-network-coordinator = collaboration coordinator
role-administrator = administrator
role-log-administrator = log administrator
action-create = added
action-read = viewed
action-update = changed
action-delete = deleted
action-export = downloaded
action-print = printed
action-search = searched
category-basic = name
category-contact = contact details
category-situation = my situation
category-agenda = agenda and tasks
category-messages = messages
category-checks = checks and signals
category-access-log = access overview

## Navigation for staff and "Mijn gegevens"
nav-my-data = My data
nav-administration = Administration
nav-audit-search = Access log
nav-register-caregiver = Register a caregiver
yes = Yes
no = No
category-administration = administration data

## Administration
admin-title = Administration
admin-intro = Here you manage regions, municipalities, organisations and users with their roles. Everything you do here is written to the access log.
admin-back = Back to Administration
admin-count-users = { $count ->
    [one] 1 user
   *[other] { $count } users
}
admin-count-blocked = { $count ->
    [one] 1 blocked
   *[other] { $count } blocked
}
admin-count-organisations = { $count ->
    [one] 1 organisation
   *[other] { $count } organisations
}
admin-count-regions = { $count ->
    [one] 1 region
   *[other] { $count } regions
}
admin-count-municipalities = { $count ->
    [one] 1 municipality
   *[other] { $count } municipalities
}
admin-name = Name
admin-person-name = Name
admin-regions-title = Regions and municipalities
admin-regions-empty = There are no regions yet.
admin-municipalities-empty = This region has no municipalities yet.
admin-region = Region
admin-region-new = New region
admin-region-add = Add region
admin-municipality = Municipality
admin-municipality-new = New municipality
admin-municipality-add = Add municipality
admin-cbs-code = CBS municipality code
admin-cbs-hint = GM and four digits, for example GM0546 for Leiden.
admin-name-invalid = Enter a name of 2 to 100 characters.
admin-region-exists = There is already a region with this name.
admin-region-missing = Choose a region from the list.
admin-cbs-invalid = This municipality code is not right. Use GM and four digits, for example GM0546.
admin-municipality-exists = There is already a municipality with this code.
admin-organisations-title = Organisations
admin-organisations-empty = There are no organisations yet.
admin-organisation = Organisation
admin-organisation-new = New organisation
admin-organisation-add = Add organisation
admin-kind = Kind
admin-members = Staff
admin-municipality-hint = Optional. Choose a municipality in the same region.
admin-municipality-none = No municipality
admin-website = Website
admin-kind-missing = Choose the kind of organisation.
admin-municipality-not-in-region = This municipality does not belong to the chosen region.
admin-website-invalid = Enter a web address that starts with https://, or leave the field empty.
org-kind-care = care
org-kind-welfare = welfare
org-kind-medical = medical
org-kind-volunteer-organisation = volunteer organisation
org-kind-citizen-initiative = citizen initiative
org-kind-municipality = municipality
admin-users-title = Users
admin-users-search = Search by name or e-mail address
admin-search = Search
admin-users-none = No users found.
admin-users-limited = only the first 200; search more precisely
admin-status = Status
admin-status-active = active
admin-status-invited = invited, no password yet
admin-status-blocked = blocked
admin-status-erased = erased on request
admin-created = Created
admin-email-verified = E-mail address confirmed
admin-roles-none = This user has no roles.
admin-role = Role
admin-role-add = Add role
admin-role-remove = Remove role: { $role }
admin-organisation-hint = Needed for roles in an organisation. Not needed for caregiver, network member and volunteer.
admin-organisation-none = No organisation
admin-role-missing = Choose a role from the list.
admin-role-exists = This user already has this role.
admin-organisation-missing = Choose an organisation from the list.
admin-email-exists = This e-mail address already has an account. Look up the user and add the role there.
admin-invite-title = Invite someone
admin-invite-intro = The person gets an e-mail with a link to choose a password. The link works for 7 days. Staff then set up two-step verification.
admin-invite-submit = Send invitation
admin-invite-resend = Send the invitation again
admin-invite-not-needed = This user already has a password or is blocked. No invitation is needed.
admin-account-heading = Account
admin-block = Block
admin-block-text = Blocking ends all sessions. The user cannot log in until you release the account.
admin-unblock = Release
admin-choice-missing = Choose what you want to do.
admin-self = You cannot do this to your own account. Ask another administrator.
admin-erased-locked = This account has been erased. Nothing about it can change.
admin-done-invited = The invitation has been sent.
admin-done-role = The role has been added.
admin-done-role-removed = The role has been removed.
admin-done-blocked = The account is blocked. All sessions have ended.
admin-done-unblocked = The account has been released.
admin-done-resent = The invitation has been sent again.
admin-done-erased = The data has been erased. The access log is kept.
admin-erase-title = Erase data on request
admin-erase-intro = You are erasing the personal data of { $name }. Only do this if this person asked for it (GDPR, article 17) and you have checked that.
admin-erase-what-1 = Name, e-mail address, phone and postcode are removed.
admin-erase-what-2 = The account is blocked. Password, two-step verification and sessions are removed.
admin-erase-what-3 = Network memberships and consents end.
admin-erase-what-4 = The access log is kept, as the law (NEN 7513) requires.
admin-erase-confirm = This person asked for erasure and I have checked that.
admin-erase-submit = Erase the data for good
admin-erase-confirm-missing = Tick the box to confirm that the person asked for erasure.
admin-erase-already = This data has already been erased.

## My data (GDPR)
my-data-title = My data
my-data-intro = These are your rights. You can see which data we hold about you, download it, and see who looked at it.
my-data-overview-title = All data about me
my-data-overview-text = An overview of everything Mantelkring keeps about you. You can print it.
my-data-overview-made = Made on { $when }.
my-data-download = Download as a file (JSON)
my-data-download-text = The same overview as a file, so you can take your data to another service.
my-data-access-log-text = Which organisations looked at your data, and when.
my-data-consents-text = Whom you allowed to look along. You can always withdraw consent.
my-data-erase-heading = Having your data erased
my-data-erase-text = Do you want us to erase your data? Ask the Mantelkring administrator in your municipality. They erase your data. Only the access log is kept, because the law requires it.
my-data-person = About me
my-data-account = My account
my-data-since = Since
my-data-period-since = since { $from }
my-data-period-ended = from { $from } to { $to }
my-data-members = People in my network
my-data-member-of = Networks I am in
my-data-events = Logins and account changes
event-login = log in
event-second-factor = second login step
event-second-factor-enrolled = two-step verification set up
event-invitation-accepted = invitation accepted
event-password-reset = new password set
event-logout = log out
event-logout-everywhere = log out everywhere
outcome-success = succeeded
outcome-failure = failed
outcome-denied = refused
my-data-nothing = Nothing.

## Consents
consents-title = Consents
consents-intro = Here you see who looks along with your consent, and what they may see. If you withdraw a consent, that person can no longer see your data, straight away.
consents-empty = You have not given anyone consent yet.
consents-what = May see
consents-how = How it was given
consents-given = Given on
consents-status = Status
consents-withdraw = Withdraw consent for { $name }
consent-online = by you, online
consent-verbal = verbally, recorded by { $name }
consent-active = in force
consent-withdrawn-at = withdrawn on { $when }
consent-done-withdrawn = The consent has been withdrawn.

## Registering a caregiver (professional)
register-caregiver-title = Register a caregiver
register-caregiver-intro = Register a caregiver you support. Only do this if the caregiver gave you consent. You then join this caregiver's network.
register-caregiver-email = The caregiver's e-mail address
register-caregiver-email-hint = Optional. With an e-mail address the caregiver gets an invitation to log in themselves.
register-caregiver-phone = Phone number
register-caregiver-categories = What may you see?
register-caregiver-categories-hint = Only choose what the caregiver wants to share with you. You always see the name.
register-caregiver-consent = Consent
register-caregiver-consent-verbal = The caregiver gave me verbal consent. My name is recorded with this consent.
register-caregiver-submit = Register caregiver
register-caregiver-name-missing = Enter the caregiver's name.
register-caregiver-phone-invalid = This phone number is not right. Use 10 to 15 digits.
register-caregiver-postcode-invalid = This postcode is not right. Use four digits and two letters, for example 2311 AB.
register-caregiver-category-invalid = Only choose from the list what you may see.
register-caregiver-consent-missing = Tick the box to confirm the caregiver gave verbal consent.
register-caregiver-email-exists = This e-mail address already has an account. Ask the caregiver to add you to their network.
mail-invite-caregiver-subject = You have been registered with Mantelkring
mail-invite-caregiver-body = { $name } registered you with Mantelkring, with your consent. There you find everything about the help around you in one place. Click the link below to choose a password. The link works for 7 days. Don't want this? Then you need not do anything.
forgot-title = Forgot your password
forgot-intro = Enter your e-mail address. You will get an e-mail with a link to choose a new password. The link works for 30 minutes.
forgot-submit = Send me a link
forgot-sent = If we know this address, you will get an e-mail within a few minutes. Also look in your junk mail folder.
set-password-title = Choose a password
set-password-intro = Choose a password that you do not use anywhere else.
set-password-new = New password
set-password-repeat = New password once more
set-password-submit = Save password
set-password-mismatch = The two passwords are not the same. Enter them again.
set-password-done-title = Your password has been saved
set-password-done-text = You can now log in with your new password. You have been logged out on other devices.
password-hint = At least 12 characters. A sentence of a few ordinary words is strong and easy to remember.
password-too-short = Your password is too short. Use at least 12 characters.
password-too-long = Your password is too long. Use at most 256 characters.
password-too-weak = This password is too easy to guess. Choose a longer sentence of a few ordinary words.
link-invalid-title = This link no longer works
link-invalid-text = The link has expired or was used already. Ask for a new link.
link-invalid-action = Ask for a new link
register-title = Create an account
register-intro = Do you care for someone? Create an account. Then you can tell your story once and decide yourself who can see it.
register-name = Your name
register-submit = Create account
register-link = No account yet? Create one.
register-name-missing = Enter your name.
register-done-title = Check your e-mail
register-done-text = We have sent you an e-mail. Click the link in that e-mail to confirm your address.
confirm-email-title = Confirm e-mail address
confirm-email-intro = Press the button to confirm that this is your e-mail address.
confirm-email-submit = Confirm my e-mail address
confirm-email-done-title = Your e-mail address is confirmed
confirm-email-done-text = Thank you. You can now use Mantelkring.
totp-setup-title = Set up the second step
totp-setup-intro = You work with data about other people's health. That is why you log in with a second step: a code from an app on your phone.
totp-setup-step-app = Install an authenticator app on your phone, if you do not have one yet.
totp-setup-step-scan = Scan the QR code below with that app.
totp-setup-step-code = Enter the 6-digit code the app shows.
totp-setup-qr-label = QR code for your authenticator app
totp-setup-manual = Cannot scan? Then type this code into the app:
totp-setup-submit = Turn on the second step
recovery-title = Keep your recovery codes
recovery-intro = With these codes you can log in when you do not have your phone at hand. Write them down or print them, and keep them in a safe place.
recovery-once = Each code works once. We show these codes only once.
recovery-continue = I have kept the codes
mail-reset-subject = New password for Mantelkring
mail-reset-body = You asked for a new password. Click the link below to choose a password. The link works for 30 minutes. Did you not ask for this? Then you need not do anything.
mail-verify-subject = Confirm your e-mail address for Mantelkring
mail-verify-body = Welcome to Mantelkring. Click the link below to confirm your e-mail address. The link works for 2 days.
mail-exists-subject = You already have a Mantelkring account
mail-exists-body = Someone tried to create an account with this e-mail address. You already have an account. Forgot your password? Ask for a new one on the login page. Was this not you? Then you need not do anything.
mail-invite-subject = You are invited to Mantelkring
mail-invite-body = You have been invited to use Mantelkring. Click the link below to choose a password. The link works for 7 days.
