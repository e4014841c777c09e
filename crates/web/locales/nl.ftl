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
login-help = Wachtwoord vergeten? Vraag de organisatie die u heeft uitgenodigd om een nieuwe link.
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
