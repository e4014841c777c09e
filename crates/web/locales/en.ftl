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
