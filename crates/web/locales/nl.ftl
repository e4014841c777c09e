# Nederlands (standaardtaal). Taalniveau B1: korte zinnen, gewone woorden.
# Houd de sleutels gelijk aan en.ftl; een test controleert dat.

skip-to-content = Naar de inhoud
language-switch = English
nav-label = Hoofdmenu
nav-home = Home
nav-accessibility = Toegankelijkheid
nav-api = API voor organisaties
footer-about = Mantelkring is vrije software voor mantelzorgers en de mensen om hen heen.

home-title = Home
home-heading = Samen zorgen voor wie zorgt
home-lead = Zorgt u voor iemand die ouder is en thuis woont? Dan bent u mantelzorger. Mantelkring helpt u en de mensen om u heen. Zo houdt u de zorg samen vol.
home-audiences-heading = Voor wie is Mantelkring?
home-caregivers-title = Voor mantelzorgers
home-caregivers-text = U vertelt uw verhaal één keer. U kiest zelf wie meekijkt. U vindt hulp en steun dicht bij huis.
home-network-title = Voor familie, buren en vrijwilligers
home-network-text = U ziet wat er nodig is en wie wat doet. U kunt een taak op u nemen, zoals boodschappen of een bezoekje.
home-professionals-title = Voor zorg, welzijn en gemeente
home-professionals-text = U werkt samen rond de mantelzorger. U ziet op tijd als het te zwaar wordt. Alleen met toestemming van de mantelzorger.
home-regions-heading = Waar werkt Mantelkring?
home-regions-empty = Er is nog geen regio ingesteld.
home-region-municipalities = Gemeenten:
home-region-organisations = { $count ->
    [one] Eén organisatie werkt hier samen.
   *[other] { $count } organisaties werken hier samen.
}
home-help-heading = Wordt de zorg u te zwaar?
home-help-text = Wacht niet te lang. Praat erover met uw huisarts of met de mantelzorgconsulent in uw gemeente. Zij denken met u mee.

a11y-title = Toegankelijkheidsverklaring
a11y-intro = Iedereen moet Mantelkring kunnen gebruiken. Ook als u slecht ziet, geen muis gebruikt of alleen een telefoon heeft.
a11y-standard-heading = Aan welke eisen voldoen we?
a11y-standard-text = Mantelkring wil voldoen aan de richtlijnen WCAG 2.1, niveau AA (de Europese norm EN 301 549). Die eisen gelden voor websites van de overheid in Nederland.
a11y-how-heading = Hoe controleren we dat?
a11y-how-automatic = Bij elke nieuwe versie controleert een computerprogramma (axe-core) alle pagina's in een echte browser.
a11y-how-keyboard = Alle pagina's werken met alleen het toetsenbord, en ook zonder JavaScript.
a11y-how-phone = Alle pagina's werken op een smal scherm van een telefoon.
a11y-how-language = We schrijven in eenvoudig Nederlands (taalniveau B1). Alles is ook in het Engels te lezen.
a11y-limits-heading = Wat werkt nog niet goed?
a11y-limits-text = We kennen op dit moment geen problemen. Vindt u toch iets dat niet werkt? Laat het ons weten, dan lossen we het op.
a11y-contact-heading = Iets gevonden dat niet werkt?
a11y-contact-text = Neem contact op met de organisatie die Mantelkring in uw regio aanbiedt. Vertel op welke pagina het was en wat er misging. U krijgt binnen vijf werkdagen antwoord.
a11y-date = Deze verklaring is opgesteld op 24 november 2026.

api-title = API voor organisaties
api-intro = Organisaties en gemeenten kunnen gegevens van Mantelkring gebruiken in hun eigen systemen. Hieronder staat wat de API kan. De volledige beschrijving staat in het OpenAPI-document.
api-openapi-link = OpenAPI-document (JSON)
api-version = versie { $version }
api-operations-heading = Wat de API kan
api-responses = Mogelijke antwoorden:

error-home-link = Naar de startpagina
error-code = Foutcode { $code }
error-400-title = Dit verzoek klopt niet
error-400-text = De gegevens die we kregen, kunnen we niet gebruiken. Ga terug en probeer het opnieuw.
error-403-title = Geen toegang
error-403-text = U mag deze pagina niet zien, of het formulier was verlopen. Ga terug, laad de pagina opnieuw en probeer het nog eens.
error-404-title = Deze pagina bestaat niet
error-404-text = Misschien is de pagina verhuisd of zit er een typefout in het adres. Begin opnieuw op de startpagina.
error-405-title = Dit kan hier niet
error-405-text = Deze pagina kan niet op deze manier gebruikt worden. Ga terug naar de vorige pagina.
error-408-title = Dit duurde te lang
error-408-text = Uw verzoek duurde te lang. Probeer het over een paar minuten opnieuw.
error-413-title = Dit is te groot
error-413-text = Wat u stuurde, is te groot. Maak het kleiner en probeer het opnieuw.
error-422-title = Het formulier is niet goed ingevuld
error-422-text = Een of meer velden missen of kloppen niet. Ga terug en kijk het formulier na.
error-429-title = Even wachten
error-429-text = Er kwamen te veel verzoeken tegelijk. Wacht een paar minuten en probeer het opnieuw.
error-500-title = Er ging iets mis
error-500-text = Dit is onze fout, niet de uwe. Er is niets opgeslagen. Probeer het later opnieuw.
error-503-title = Mantelkring is even niet bereikbaar
error-503-text = We werken eraan. Probeer het over een paar minuten opnieuw.

login = Inloggen
logout = Uitloggen
logout-everywhere = Overal uitloggen
nav-account = Mijn account
nav-access-log = Wie heeft mijn gegevens bekeken
login-title = Inloggen
login-email = E-mailadres
login-password = Wachtwoord
login-submit = Inloggen
login-invalid-email = Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl.
login-missing-password = Vul uw wachtwoord in.
login-password-too-long = Dit wachtwoord is te lang. Een wachtwoord heeft hoogstens 1024 tekens.
login-failed = Het e-mailadres of het wachtwoord klopt niet. Probeer het opnieuw.
login-locked = { $minutes ->
    [one] U heeft te vaak iets verkeerds ingevuld. Probeer het over 1 minuut opnieuw.
   *[other] U heeft te vaak iets verkeerds ingevuld. Probeer het over { $minutes } minuten opnieuw.
}
code-title = Code invullen
code-intro = U werkt met gegevens over de gezondheid van anderen. Daarom vragen we een tweede stap: de code uit uw app.
code-label = Code
code-hint = De 6 cijfers uit uw authenticator-app. Geen telefoon bij de hand? Vul dan een van uw herstelcodes in.
code-submit = Doorgaan
code-invalid = Vul de 6 cijfers uit uw app in, of een herstelcode.
code-failed = Deze code klopt niet, of is al gebruikt. Wacht op een nieuwe code en probeer het opnieuw.
account-title = Mijn account
account-name = Naam
account-email = E-mailadres
account-roles = Rollen
account-second-factor = Tweede stap bij inloggen
account-second-factor-yes = Gedaan in deze sessie
account-second-factor-no = Niet gedaan in deze sessie
account-sessions-heading = Ingelogd op andere apparaten?
account-sessions-text = Met deze knop logt u overal uit, op alle apparaten. Handig als u een telefoon of computer kwijt bent.
person-municipality = Gemeente
person-contact-heading = Contactgegevens
person-phone = Telefoon
person-postcode = Postcode
person-contact-hidden = U ziet de contactgegevens niet. De mantelzorger heeft die niet met u gedeeld.
access-log-title = Wie heeft mijn gegevens bekeken
access-log-intro = Hier ziet u welke organisaties uw gegevens hebben bekeken, wanneer en wat. Namen van medewerkers tonen we niet.
access-log-empty = Niemand anders heeft uw gegevens bekeken.
access-log-when = Wanneer
access-log-organisation = Organisatie
access-log-role = Rol
access-log-what = Wat
access-log-no-organisation = Geen organisatie (een persoon)
role-caregiver = mantelzorger
role-network-member = netwerklid
role-volunteer = vrijwilliger
role-professional = professional
role-volunteer-coordinator = coördinator vrijwilligers
role-organisation-editor = redacteur sociale kaart
role-network-coordinator = coördinator samenwerking
role-administrator = beheerder
role-log-administrator = logbeheerder
action-create = toegevoegd
action-read = bekeken
action-update = gewijzigd
action-delete = verwijderd
action-export = gedownload
action-print = afgedrukt
action-search = gezocht
category-basic = naam
category-contact = contactgegevens
category-situation = mijn situatie
category-agenda = agenda en taken
category-messages = berichten
category-checks = checks en signalen
category-access-log = inzage-overzicht

## Navigation for staff and "Mijn gegevens"
nav-my-data = Mijn gegevens
nav-administration = Beheer
nav-audit-search = Logboek
nav-register-caregiver = Mantelzorger aanmelden
yes = Ja
no = Nee
category-administration = beheergegevens

## Administration
admin-title = Beheer
admin-intro = Hier beheert u regio's, gemeenten, organisaties en gebruikers met hun rollen. Alles wat u hier doet, komt in het logboek.
admin-back = Terug naar Beheer
admin-count-users = { $count ->
    [one] 1 gebruiker
   *[other] { $count } gebruikers
}
admin-count-blocked = { $count ->
    [one] 1 geblokkeerd
   *[other] { $count } geblokkeerd
}
admin-count-organisations = { $count ->
    [one] 1 organisatie
   *[other] { $count } organisaties
}
admin-count-regions = { $count ->
    [one] 1 regio
   *[other] { $count } regio's
}
admin-count-municipalities = { $count ->
    [one] 1 gemeente
   *[other] { $count } gemeenten
}
admin-name = Naam
admin-person-name = Naam
admin-regions-title = Regio's en gemeenten
admin-regions-empty = Er zijn nog geen regio's.
admin-municipalities-empty = Deze regio heeft nog geen gemeenten.
admin-region = Regio
admin-region-new = Nieuwe regio
admin-region-add = Regio toevoegen
admin-municipality = Gemeente
admin-municipality-new = Nieuwe gemeente
admin-municipality-add = Gemeente toevoegen
admin-cbs-code = CBS-gemeentecode
admin-cbs-hint = GM en vier cijfers, bijvoorbeeld GM0546 voor Leiden.
admin-name-invalid = Vul een naam in van 2 tot 100 tekens.
admin-region-exists = Er is al een regio met deze naam.
admin-region-missing = Kies een regio uit de lijst.
admin-cbs-invalid = Deze gemeentecode klopt niet. Gebruik GM en vier cijfers, bijvoorbeeld GM0546.
admin-municipality-exists = Er is al een gemeente met deze code.
admin-organisations-title = Organisaties
admin-organisations-empty = Er zijn nog geen organisaties.
admin-organisation = Organisatie
admin-organisation-new = Nieuwe organisatie
admin-organisation-add = Organisatie toevoegen
admin-kind = Soort
admin-members = Medewerkers
admin-municipality-hint = Niet verplicht. Kies een gemeente in dezelfde regio.
admin-municipality-none = Geen gemeente
admin-website = Website
admin-kind-missing = Kies de soort organisatie.
admin-municipality-not-in-region = Deze gemeente hoort niet bij de gekozen regio.
admin-website-invalid = Vul een websiteadres in dat begint met https:// of laat het veld leeg.
org-kind-care = zorg
org-kind-welfare = welzijn
org-kind-medical = medisch
org-kind-volunteer-organisation = vrijwilligersorganisatie
org-kind-citizen-initiative = burgerinitiatief
org-kind-municipality = gemeente
admin-users-title = Gebruikers
admin-users-search = Zoek op naam of e-mailadres
admin-search = Zoeken
admin-users-none = Geen gebruikers gevonden.
admin-users-limited = alleen de eerste 200; zoek preciezer
admin-status = Status
admin-status-active = actief
admin-status-invited = uitgenodigd, nog geen wachtwoord
admin-status-blocked = geblokkeerd
admin-status-erased = gewist op verzoek
admin-created = Aangemaakt
admin-email-verified = E-mailadres bevestigd
admin-roles-none = Deze gebruiker heeft geen rollen.
admin-role = Rol
admin-role-add = Rol toevoegen
admin-role-remove = Rol weghalen: { $role }
admin-organisation-hint = Nodig voor rollen bij een organisatie. Niet nodig voor mantelzorger, netwerklid en vrijwilliger.
admin-organisation-none = Geen organisatie
admin-role-missing = Kies een rol uit de lijst.
admin-role-exists = Deze gebruiker heeft deze rol al.
admin-organisation-missing = Kies een organisatie uit de lijst.
admin-email-exists = Dit e-mailadres heeft al een account. Zoek de gebruiker op en voeg daar de rol toe.
admin-invite-title = Iemand uitnodigen
admin-invite-intro = De persoon krijgt een e-mail met een link om een wachtwoord te kiezen. De link werkt 7 dagen. Medewerkers stellen daarna tweestapsverificatie in.
admin-invite-submit = Uitnodiging sturen
admin-invite-resend = Uitnodiging opnieuw sturen
admin-invite-not-needed = Deze gebruiker heeft al een wachtwoord of is geblokkeerd. Een uitnodiging is niet nodig.
admin-account-heading = Account
admin-block = Blokkeren
admin-block-text = Blokkeren beëindigt alle sessies. De gebruiker kan niet meer inloggen tot u het account weer vrijgeeft.
admin-unblock = Vrijgeven
admin-choice-missing = Kies wat u wilt doen.
admin-self = Dit kunt u niet bij uw eigen account doen. Vraag een andere beheerder.
admin-erased-locked = Dit account is gewist. Er kan niets meer aan veranderen.
admin-done-invited = De uitnodiging is verstuurd.
admin-done-role = De rol is toegevoegd.
admin-done-role-removed = De rol is weggehaald.
admin-done-blocked = Het account is geblokkeerd. Alle sessies zijn beëindigd.
admin-done-unblocked = Het account is vrijgegeven.
admin-done-resent = De uitnodiging is opnieuw verstuurd.
admin-done-erased = De gegevens zijn gewist. Het logboek blijft bewaard.
admin-erase-title = Gegevens wissen op verzoek
admin-erase-intro = U wist de persoonsgegevens van { $name }. Doe dit alleen als deze persoon daar zelf om heeft gevraagd (AVG, artikel 17) en u dat heeft gecontroleerd.
admin-erase-what-1 = Naam, e-mailadres, telefoon en postcode worden verwijderd.
admin-erase-what-2 = Het account wordt geblokkeerd. Wachtwoord, tweestapsverificatie en sessies verdwijnen.
admin-erase-what-3 = Lidmaatschappen van netwerken en toestemmingen stoppen.
admin-erase-what-4 = Het logboek blijft bewaard, zoals de wet (NEN 7513) vraagt.
admin-erase-confirm = Deze persoon heeft om wissen gevraagd en ik heb dat gecontroleerd.
admin-erase-submit = Gegevens definitief wissen
admin-erase-confirm-missing = Vink aan dat de persoon om wissen heeft gevraagd.
admin-erase-already = Deze gegevens zijn al gewist.

## Mijn gegevens (AVG)
my-data-title = Mijn gegevens
my-data-intro = Dit zijn uw rechten. U kunt zien welke gegevens wij van u hebben, ze downloaden, en zien wie ze heeft bekeken.
my-data-overview-title = Alle gegevens over mij
my-data-overview-text = Een overzicht van alles wat Mantelkring over u bewaart. U kunt het afdrukken.
my-data-overview-made = Gemaakt op { $when }.
my-data-download = Download als bestand (JSON)
my-data-download-text = Hetzelfde overzicht als bestand. Zo kunt u uw gegevens meenemen naar een andere dienst.
my-data-access-log-text = Welke organisaties uw gegevens hebben bekeken, en wanneer.
my-data-consents-text = Wie u toestemming heeft gegeven om mee te kijken. U kunt toestemming altijd intrekken.
my-data-erase-heading = Gegevens laten wissen
my-data-erase-text = Wilt u dat wij uw gegevens wissen? Vraag het aan de beheerder van Mantelkring in uw gemeente. Die wist uw gegevens. Alleen het logboek blijft bewaard, omdat de wet dat vraagt.
my-data-person = Over mij
my-data-account = Mijn account
my-data-since = Sinds
my-data-period-since = sinds { $from }
my-data-period-ended = van { $from } tot { $to }
my-data-members = Mensen in mijn netwerk
my-data-member-of = Netwerken waarin ik zit
my-data-events = Inloggen en accountwijzigingen
event-login = inloggen
event-second-factor = tweede stap bij inloggen
event-second-factor-enrolled = tweestapsverificatie ingesteld
event-invitation-accepted = uitnodiging aangenomen
event-password-reset = nieuw wachtwoord ingesteld
event-logout = uitloggen
event-logout-everywhere = overal uitloggen
outcome-success = gelukt
outcome-failure = mislukt
outcome-denied = geweigerd
my-data-nothing = Niets.

## Toestemmingen
consents-title = Toestemmingen
consents-intro = Hier ziet u wie met uw toestemming meekijkt, en wat die persoon mag zien. Trekt u een toestemming in, dan kan die persoon uw gegevens meteen niet meer zien.
consents-empty = U heeft nog niemand toestemming gegeven.
consents-what = Mag zien
consents-how = Hoe gegeven
consents-given = Gegeven op
consents-status = Status
consents-withdraw = Toestemming intrekken voor { $name }
consent-online = door uzelf, online
consent-verbal = mondeling, vastgelegd door { $name }
consent-active = geldt nu
consent-withdrawn-at = ingetrokken op { $when }
consent-done-withdrawn = De toestemming is ingetrokken.

## Een mantelzorger aanmelden (professional)
register-caregiver-title = Mantelzorger aanmelden
register-caregiver-intro = Meld een mantelzorger aan die u ondersteunt. Doe dit alleen als de mantelzorger u daar toestemming voor heeft gegeven. U komt dan in het netwerk van deze mantelzorger.
register-caregiver-email = E-mailadres van de mantelzorger
register-caregiver-email-hint = Niet verplicht. Met een e-mailadres krijgt de mantelzorger een uitnodiging om zelf in te loggen.
register-caregiver-phone = Telefoonnummer
register-caregiver-categories = Wat mag u zien?
register-caregiver-categories-hint = Kies alleen wat de mantelzorger met u wil delen. De naam ziet u altijd.
register-caregiver-consent = Toestemming
register-caregiver-consent-verbal = De mantelzorger heeft mij mondeling toestemming gegeven. Mijn naam komt bij deze toestemming te staan.
register-caregiver-submit = Mantelzorger aanmelden
register-caregiver-name-missing = Vul de naam van de mantelzorger in.
register-caregiver-phone-invalid = Dit telefoonnummer klopt niet. Gebruik 10 tot 15 cijfers.
register-caregiver-postcode-invalid = Deze postcode klopt niet. Gebruik vier cijfers en twee letters, bijvoorbeeld 2311 AB.
register-caregiver-category-invalid = Kies alleen uit de lijst wat u mag zien.
register-caregiver-consent-missing = Vink aan dat de mantelzorger mondeling toestemming heeft gegeven.
register-caregiver-email-exists = Dit e-mailadres heeft al een account. Vraag de mantelzorger om u toe te voegen aan het netwerk.
mail-invite-caregiver-subject = U bent aangemeld bij Mantelkring
mail-invite-caregiver-body = { $name } heeft u met uw toestemming aangemeld bij Mantelkring. Daar staat alles over de hulp rond u op één plek. Klik op de link hieronder om een wachtwoord te kiezen. De link werkt 7 dagen. Wilt u dit niet? Dan hoeft u niets te doen.
forgot-title = Wachtwoord vergeten
forgot-intro = Vul uw e-mailadres in. U krijgt een e-mail met een link om een nieuw wachtwoord te kiezen. De link werkt 30 minuten.
forgot-submit = Stuur mij een link
forgot-sent = Als dit adres bij ons bekend is, krijgt u binnen een paar minuten een e-mail. Kijk ook in uw map met ongewenste e-mail.
set-password-title = Wachtwoord kiezen
set-password-intro = Kies een wachtwoord dat u nergens anders gebruikt.
set-password-new = Nieuw wachtwoord
set-password-repeat = Nieuw wachtwoord nog een keer
set-password-submit = Wachtwoord opslaan
set-password-mismatch = De twee wachtwoorden zijn niet gelijk. Vul ze nog een keer in.
set-password-done-title = Uw wachtwoord is opgeslagen
set-password-done-text = U kunt nu inloggen met uw nieuwe wachtwoord. Op andere apparaten bent u uitgelogd.
password-hint = Minstens 12 tekens. Een zin van een paar gewone woorden is sterk en makkelijk te onthouden.
password-too-short = Uw wachtwoord is te kort. Gebruik minstens 12 tekens.
password-too-long = Uw wachtwoord is te lang. Gebruik hoogstens 256 tekens.
password-too-weak = Dit wachtwoord is te makkelijk te raden. Kies een langere zin van een paar gewone woorden.
link-invalid-title = Deze link werkt niet meer
link-invalid-text = De link is verlopen of al gebruikt. Vraag een nieuwe link aan.
link-invalid-action = Nieuwe link aanvragen
register-title = Account maken
register-intro = Zorgt u voor iemand? Maak een account. Dan kunt u uw verhaal één keer vertellen en zelf kiezen wie meekijkt.
register-name = Uw naam
register-submit = Account maken
register-link = Nog geen account? Maak er een.
register-name-missing = Vul uw naam in.
register-done-title = Kijk in uw e-mail
register-done-text = We hebben u een e-mail gestuurd. Klik op de link in die e-mail om uw adres te bevestigen.
confirm-email-title = E-mailadres bevestigen
confirm-email-intro = Klik op de knop om te bevestigen dat dit uw e-mailadres is.
confirm-email-submit = Bevestig mijn e-mailadres
confirm-email-done-title = Uw e-mailadres is bevestigd
confirm-email-done-text = Dank u wel. U kunt Mantelkring nu gebruiken.
totp-setup-title = Tweede stap instellen
totp-setup-intro = U werkt met gegevens over de gezondheid van anderen. Daarom logt u in met een tweede stap: een code uit een app op uw telefoon.
totp-setup-step-app = Installeer een authenticator-app op uw telefoon, als u die nog niet heeft.
totp-setup-step-scan = Scan de QR-code hieronder met die app.
totp-setup-step-code = Vul de code van 6 cijfers in die de app laat zien.
totp-setup-qr-label = QR-code voor uw authenticator-app
totp-setup-manual = Kunt u niet scannen? Typ dan deze code in de app:
totp-setup-submit = Tweede stap aanzetten
recovery-title = Bewaar uw herstelcodes
recovery-intro = Met deze codes kunt u inloggen als u uw telefoon niet bij de hand heeft. Schrijf ze op of druk ze af, en bewaar ze op een veilige plek.
recovery-once = Elke code werkt één keer. We laten deze codes maar één keer zien.
recovery-continue = Ik heb de codes bewaard
mail-reset-subject = Nieuw wachtwoord voor Mantelkring
mail-reset-body = U heeft gevraagd om een nieuw wachtwoord. Klik op de link hieronder om een wachtwoord te kiezen. De link werkt 30 minuten. Heeft u dit niet gevraagd? Dan hoeft u niets te doen.
mail-verify-subject = Bevestig uw e-mailadres voor Mantelkring
mail-verify-body = Welkom bij Mantelkring. Klik op de link hieronder om uw e-mailadres te bevestigen. De link werkt 2 dagen.
mail-exists-subject = U heeft al een account bij Mantelkring
mail-exists-body = Iemand probeerde een account te maken met dit e-mailadres. U heeft al een account. Wachtwoord vergeten? Vraag dan een nieuw wachtwoord aan op de inlogpagina. Was u dit niet? Dan hoeft u niets te doen.
mail-invite-subject = U bent uitgenodigd voor Mantelkring
mail-invite-body = U bent uitgenodigd om Mantelkring te gebruiken. Klik op de link hieronder om een wachtwoord te kiezen. De link werkt 7 dagen.
