"""Dutch phrase book: how users at Gemeente Rivierstad describe problems, and agents' answers."""
# ruff: noqa: E501  (a phrase book: one sentence per line reads better than split strings)

from __future__ import annotations

from triage.sample.phrasebook import Frames, Problem
from triage.schema import Level

P = Problem
PROBLEMS: dict[str, Problem] = {
    "password_reset": P(
        ("Wachtwoord vergeten", "wachtwoord verlopen", "Kan niet inloggen, wachtwoord?"),
        (
            "Ik ben mijn wachtwoord vergeten en kom niet meer in Windows.",
            "Mijn wachtwoord is verlopen en ik krijg de melding dat ik het moet wijzigen, maar dat lukt niet.",
            "Na de vakantie weet ik mijn wachtwoord niet meer. Kunnen jullie het resetten?",
            "Bij het aanmelden staat er 'Het wachtwoord is onjuist', terwijl ik zeker weet dat het klopt.",
        ),
        ("Wachtwoord verlopen na 90 dagen.", "Gebruiker was wachtwoord vergeten."),
        (
            "Wachtwoord gereset in AD, tijdelijk wachtwoord telefonisch doorgegeven. Gebruiker kan weer inloggen.",
            "Gebruiker via selfservice (SSPR) laten resetten, werkt weer.",
        ),
        "Je wachtwoord zelf opnieuw instellen via de selfservice-portal",
        (
            "Ga naar https://aka.ms/sspr vanaf je telefoon of een andere computer.",
            "Bevestig je identiteit met de Authenticator-app of je mobiele nummer.",
            "Kies een nieuw wachtwoord van minimaal 14 tekens en meld je opnieuw aan.",
        ),
    ),
    "account_locked": P(
        ("Account geblokkeerd", "account gelocked", "Kan niet meer inloggen - geblokkeerd"),
        (
            "Mijn account is geblokkeerd na te vaak een verkeerd wachtwoord.",
            "Ik krijg 'Het account waarmee u zich probeert aan te melden is vergrendeld'.",
            "Sinds ik mijn wachtwoord heb gewijzigd raakt mijn account steeds geblokkeerd.",
            "Kan niet inloggen, melding dat mijn account is uitgeschakeld.",
        ),
        (
            "Oud wachtwoord nog opgeslagen op telefoon, die blokkeert het account.",
            "Te vaak verkeerd wachtwoord ingevoerd.",
        ),
        (
            "Account ontgrendeld in AD. Oud wachtwoord van telefoon (mail-app) verwijderd.",
            "Account vrijgegeven, gebruiker kan weer aanmelden.",
        ),
        "Account steeds geblokkeerd na wachtwoordwijziging",
        (
            "Verwijder opgeslagen oude wachtwoorden uit Windows Referentiebeheer.",
            "Werk het wachtwoord bij in de mail-app op je telefoon en tablet.",
            "Laat de servicedesk het account ontgrendelen en meld je opnieuw aan.",
        ),
    ),
    "mfa_authenticator": P(
        ("Authenticator werkt niet", "MFA nieuwe telefoon", "geen code ontvangen"),
        (
            "Ik heb een nieuwe telefoon en de Authenticator-app vraagt om een code die ik niet heb.",
            "Ik krijg geen melding meer op mijn telefoon om de aanmelding goed te keuren.",
            "Bij het inloggen vraagt hij om tweestapsverificatie maar de sms komt niet aan.",
            "De Microsoft Authenticator geeft 'Er is iets misgegaan' na het scannen van de QR-code.",
        ),
        ("Authenticator niet overgezet naar nieuwe telefoon.", "Verouderde MFA-registratie."),
        (
            "MFA-methoden gereset in Entra ID, gebruiker heeft Authenticator opnieuw gekoppeld.",
            "Telefoonnummer voor MFA bijgewerkt, aanmelden lukt weer.",
        ),
        "Microsoft Authenticator koppelen aan een nieuwe telefoon",
        (
            "Installeer Microsoft Authenticator op je nieuwe telefoon.",
            "Ga naar https://mysignins.microsoft.com/security-info en kies 'Aanmeldmethode toevoegen'.",
            "Scan de QR-code en verwijder daarna de oude telefoon uit de lijst.",
        ),
    ),
    "outlook_send_receive": P(
        (
            "Outlook verstuurt geen mail",
            "Mail blijft in postvak uit",
            "outlook foutmelding {outlook_err}",
        ),
        (
            "Mijn mails blijven in Postvak UIT staan en er komt niets binnen.",
            "Outlook geeft foutmelding {outlook_err} bij verzenden/ontvangen.",
            "Outlook blijft hangen op 'Verbinding maken met server' en ik zie geen nieuwe mail.",
            "Ik krijg sinds vanochtend geen e-mail meer binnen in Outlook, in de webmail wel.",
        ),
        ("Beschadigd Outlook-profiel (OST-bestand).", "Outlook stond in offline modus."),
        (
            "Nieuw Outlook-profiel aangemaakt, OST opnieuw gesynchroniseerd. Mail werkt weer.",
            "Offline werken uitgezet en Outlook herstart, mail komt weer binnen.",
        ),
        "Outlook verzendt of ontvangt geen e-mail",
        (
            "Controleer onderin Outlook of er 'Offline werken' staat en zet dat uit.",
            "Sluit Outlook en start het opnieuw; controleer of webmail wel werkt.",
            "Werkt het nog niet, maak via Configuratiescherm > E-mail een nieuw profiel aan.",
        ),
        (
            "Niemand in de organisatie kan nog mailen, Outlook blijft op 'Verbinding verbroken' staan.",
            "Storing bij Exchange Online (Microsoft 365).",
            "Storing door Microsoft verholpen, mailverkeer hersteld. Gebruikers geïnformeerd via intranet.",
        ),
    ),
    "mailbox_full": P(
        ("Mailbox vol", "postvak bijna vol melding", "Kan geen mail meer versturen, mailbox vol"),
        (
            "Ik krijg de melding dat mijn postvak vol is en ik kan niets meer versturen.",
            "Outlook zegt dat mijn mailbox de limiet van 50 GB bijna bereikt.",
            "Mijn mailbox zit vol, kan die groter of kan het archief aan?",
        ),
        ("Mailbox over de quotum door grote bijlagen.",),
        (
            "Online archief ingeschakeld en bewaarbeleid ingesteld. Gebruiker uitgelegd hoe op te schonen.",
            "Grote bijlagen verplaatst, quotumwaarschuwing verdwenen.",
        ),
        "Je mailbox opschonen of het online archief gebruiken",
        (
            "Sorteer je Postvak IN op grootte en verwijder of verplaats grote berichten.",
            "Leeg de map Verwijderde items.",
            "Vraag via de servicedesk het online archief aan als opschonen niet genoeg is.",
        ),
    ),
    "shared_mailbox": P(
        (
            "Toegang gedeelde mailbox",
            "functionele mailbox {mailbox} niet zichtbaar",
            "Gedeelde mailbox toevoegen",
        ),
        (
            "Ik zie de gedeelde mailbox {mailbox} niet meer in Outlook.",
            "Graag toegang tot de functionele mailbox {mailbox} voor mij, mijn leidinggevende is akkoord.",
            "Ik kan vanuit {mailbox} niet verzenden, ik krijg een melding dat ik geen rechten heb.",
        ),
        ("Rechten op gedeelde mailbox ontbraken.", "Send-as recht niet toegekend."),
        (
            "Volledige toegang en send-as rechten op {mailbox} toegekend, na herstart Outlook zichtbaar.",
            "Gedeelde mailbox handmatig toegevoegd in Outlook.",
        ),
        "Een gedeelde mailbox toevoegen en ervan verzenden",
        (
            "Vraag toegang aan via het selfserviceportaal (goedkeuring leidinggevende).",
            "Na toekenning verschijnt de mailbox binnen een uur vanzelf in Outlook; herstart Outlook.",
            "Kies bij verzenden 'Van' en selecteer het adres van de gedeelde mailbox.",
        ),
    ),
    "calendar_sharing": P(
        ("Agenda delen", "agenda collega niet zichtbaar", "Kan agenda niet bewerken"),
        (
            "Ik wil mijn agenda delen met mijn secretaresse zodat zij afspraken kan maken.",
            "De agenda van mijn collega is niet meer te openen, ik krijg 'geen machtiging'.",
            "Vergaderverzoeken komen dubbel binnen in mijn agenda.",
        ),
        ("Gemachtigde niet goed ingesteld.",),
        (
            "Gebruiker uitgelegd hoe gemachtigde in te stellen, agenda gedeeld met bewerkrechten.",
            "Gemachtigde opnieuw ingesteld, dubbele verzoeken verholpen.",
        ),
        "Je agenda delen of een gemachtigde instellen in Outlook",
        (
            "Klik in Outlook met rechts op je agenda en kies 'Delen' > 'Agendamachtigingen'.",
            "Voeg de collega toe en kies 'Kan bewerken' of 'Gemachtigde'.",
            "Laat de collega Outlook herstarten; de agenda verschijnt onder 'Gedeelde agenda's'.",
        ),
    ),
    "print_queue": P(
        ("Printer print niet", "printopdracht blijft hangen", "printer {printer} offline"),
        (
            "Mijn printopdracht blijft in de wachtrij staan en er komt niets uit de printer.",
            "De printer {printer} op de {building} staat offline.",
            "Ik print naar FollowMe maar bij de printer zie ik mijn opdracht niet.",
            "Printer geeft een papierstoring maar er zit geen papier vast.",
        ),
        ("Vastgelopen printwachtrij.", "Printer niet bereikbaar, netwerkkabel los."),
        (
            "Printspooler herstart en wachtrij geleegd, printen werkt weer.",
            "Netwerkkabel van {printer} teruggeplaatst, printer weer online.",
        ),
        "Printopdracht blijft in de wachtrij staan",
        (
            "Verwijder je opdracht uit de wachtrij (Instellingen > Printers).",
            "Herstart je laptop zodat de printservice opnieuw start.",
            "Print opnieuw naar de FollowMe-printer en haal de print op met je pas.",
        ),
        (
            "Niemand op de {building} kan printen, alle printopdrachten blijven hangen.",
            "Printserver srv-app-03 vastgelopen.",
            "Printserver herstart, wachtrijen geleegd; printen werkt weer voor iedereen.",
        ),
    ),
    "scan_to_mail": P(
        ("Scannen naar mail werkt niet", "scan komt niet aan", "Scannen op de multifunctional"),
        (
            "Als ik scan naar mijn e-mail komt er niets aan.",
            "De multifunctional op de {building} geeft 'Verzenden mislukt' bij scannen naar e-mail.",
            "Mijn scans komen niet meer in mijn mailbox, gisteren nog wel.",
        ),
        (
            "SMTP-relay voor de multifunctional geweigerd.",
            "E-mailadres gebruiker verkeerd in adresboek printer.",
        ),
        (
            "Adresboek van de multifunctional bijgewerkt, scan komt weer aan.",
            "Relay-instelling hersteld, scannen naar mail werkt.",
        ),
        "Scannen naar e-mail op de multifunctional",
        (
            "Meld je aan op de multifunctional met je pas.",
            "Kies 'Scan naar mij' in plaats van een adres te typen.",
            "Controleer je map Ongewenste e-mail als de scan niet in je Postvak IN staat.",
        ),
    ),
    "printer_install": P(
        ("Printer toevoegen", "Nieuwe printer installeren", "printer niet in lijst"),
        (
            "Ik zit op een andere verdieping en wil printer {printer} toevoegen.",
            "In de lijst met printers staat de printer van onze afdeling niet.",
            "Hoe installeer ik de printer thuis? Ik werk vaak thuis.",
        ),
        ("Printer niet gekoppeld aan de werkplek.",),
        (
            "Printer toegevoegd via Software Center / printserver, testpagina geprint.",
            "Uitgelegd dat thuisprinters niet ondersteund worden; FollowMe uitgelegd.",
        ),
        "Een printer op kantoor toevoegen",
        (
            "Open Instellingen > Printers en scanners en kies 'Apparaat toevoegen'.",
            "Kies 'De printer die ik wil gebruiken staat niet in de lijst' en typ \\\\srv-app-03.",
            "Kies de printer van je verdieping of gebruik de FollowMe-wachtrij.",
        ),
    ),
    "access_request": P(
        ("Toegang aanvragen", "Geen rechten op map", "Autorisatie {drive} schijf"),
        (
            "Ik heb toegang nodig tot de afdelingsmap van {dept} op de {drive} schijf.",
            "Bij het openen van de map krijg ik 'U hebt geen machtiging voor toegang tot deze map'.",
            "Nieuwe collega in mijn team heeft dezelfde rechten nodig als ik in TOPdesk en de {drive} schijf.",
            "Ik kan niet in de applicatie, er staat 'Geen autorisatie'. Ik ben net van afdeling gewisseld.",
        ),
        (
            "Gebruiker niet lid van de juiste AD-groep.",
            "Autorisatie niet meeverhuisd bij interne overstap.",
        ),
        (
            "Na akkoord leidinggevende toegevoegd aan de AD-groep, opnieuw aanmelden gevraagd.",
            "Rollen toegekend in de applicatie, gebruiker kan erbij.",
        ),
        "Toegang tot een map of applicatie aanvragen",
        (
            "Dien een aanvraag in via het selfserviceportaal onder 'Toegang'.",
            "Je leidinggevende krijgt een goedkeuringsverzoek.",
            "Na goedkeuring: meld je af en weer aan zodat de nieuwe rechten actief worden.",
        ),
    ),
    "office_license": P(
        ("Office niet geactiveerd", "Licentie Office verlopen", "Word in alleen-lezen modus"),
        (
            "Word en Excel openen alleen nog in alleen-lezen modus, er staat 'Product niet geactiveerd'.",
            "Office vraagt om aan te melden om de licentie te activeren, maar dat lukt niet.",
            "Ik krijg de melding 'Er is een probleem met uw account' bovenin Excel.",
        ),
        ("Microsoft 365 licentie niet toegewezen.", "Verouderde licentie-token in cache."),
        (
            "Licentie toegewezen in M365 admin, Office opnieuw aangemeld.",
            "Office-referenties gewist, opnieuw aangemeld; geactiveerd.",
        ),
        "Office geeft 'Product niet geactiveerd'",
        (
            "Sluit alle Office-programma's.",
            "Open Word, ga naar Bestand > Account en meld je af en weer aan.",
            "Blijft de melding, neem contact op met de servicedesk om je licentie te controleren.",
        ),
    ),
    "laptop_slow": P(
        ("Laptop erg traag", "computer langzaam", "Alles hangt"),
        (
            "Mijn laptop is sinds een paar dagen heel traag, opstarten duurt 10 minuten.",
            "Alles loopt vast zodra ik Teams en Excel tegelijk open heb.",
            "De ventilator maakt veel lawaai en de laptop wordt heel warm en traag.",
            "Mijn {laptop} is zo langzaam dat ik niet normaal kan werken.",
        ),
        (
            "Schijf vrijwel vol.",
            "Windows-updates bleven hangen.",
            "Te weinig geheugen voor gebruik.",
        ),
        (
            "Schijf opgeschoond en openstaande updates geïnstalleerd, laptop weer normaal.",
            "Laptop opnieuw geïnstalleerd via Intune (Autopilot reset).",
        ),
        "Je laptop is traag: eerst zelf proberen",
        (
            "Start je laptop echt opnieuw op (niet alleen dichtklappen).",
            "Installeer openstaande updates via Software Center en Windows Update.",
            "Ruim je Downloads-map op en sluit programma's die je niet gebruikt.",
        ),
    ),
    "docking_monitor": P(
        ("Tweede scherm doet het niet", "docking station", "Geen beeld op monitor"),
        (
            "Als ik mijn laptop in het dockingstation stop blijft het externe scherm zwart.",
            "Mijn tweede monitor wordt niet herkend op de flexplek.",
            "Het dockingstation laadt mijn laptop niet meer op en toetsenbord en muis doen niets.",
        ),
        (
            "Verouderde firmware van het dockingstation.",
            "Beeldscherminstellingen stonden op 'alleen scherm 1'.",
        ),
        (
            "Firmware en driver van de dock bijgewerkt, beide schermen werken.",
            "Weergave ingesteld op 'Uitbreiden' (Windows+P), opgelost.",
        ),
        "Geen beeld op je externe scherm via het dockingstation",
        (
            "Druk op Windows+P en kies 'Uitbreiden'.",
            "Haal de laptop uit de dock, wacht 10 seconden en plaats hem terug.",
            "Installeer 'Dell Command Update' uit Software Center om de dock bij te werken.",
        ),
    ),
    "software_install": P(
        ("Software installeren", "{sw} nodig", "Kan programma niet installeren"),
        (
            "Ik heb {sw} nodig voor mijn werk, maar ik heb geen rechten om het te installeren.",
            "In Software Center staat {sw} niet, kunnen jullie het installeren?",
            "De installatie van {sw} uit Software Center blijft op 'Bezig' staan.",
        ),
        (
            "Software niet beschikbaar gesteld aan gebruiker.",
            "Installatie mislukt door openstaande herstart.",
        ),
        (
            "Applicatie beschikbaar gesteld in Software Center, gebruiker heeft geïnstalleerd.",
            "Laptop herstart en installatie opnieuw gestart, gelukt.",
        ),
        "Software installeren via Software Center",
        (
            "Open Software Center via het startmenu.",
            "Zoek het programma en klik op Installeren.",
            "Staat het er niet in, vraag het aan via het portaal; betaalde software vraagt een licentie.",
        ),
    ),
    "vpn_globalprotect": P(
        ("VPN werkt niet", "GlobalProtect maakt geen verbinding", "kan thuis niet bij netwerk"),
        (
            "GlobalProtect blijft hangen op 'Connecting...' en ik kom niet in het netwerk.",
            "Ik krijg de melding '{gp_err}' als ik thuis wil inloggen.",
            "Thuis kan ik sinds gisteren niet meer bij de {drive} schijf, VPN zegt 'verbonden' maar niets werkt.",
            "De VPN valt steeds weg, elke tien minuten moet ik opnieuw verbinden.",
        ),
        (
            "Verlopen apparaatcertificaat.",
            "Thuisrouter blokkeert IPsec, fallback naar SSL werkte niet.",
        ),
        (
            "Apparaatcertificaat vernieuwd via Intune, GlobalProtect verbindt weer.",
            "GlobalProtect-client bijgewerkt naar 6.2 en gateway opnieuw ingesteld.",
        ),
        "GlobalProtect (VPN) maakt geen verbinding",
        (
            "Controleer of je thuis internet hebt (open een willekeurige website).",
            "Klik op het GlobalProtect-icoon > Instellingen > 'Vernieuwen' en verbind opnieuw.",
            "Lukt het niet, start je laptop opnieuw op terwijl hij met internet verbonden is.",
        ),
        (
            "Niemand kan meer via GlobalProtect verbinden, alle thuiswerkers liggen eruit.",
            "Storing op de VPN-gateway (verlopen servercertificaat).",
            "Servercertificaat van de gateway vernieuwd, VPN werkt weer voor iedereen.",
        ),
    ),
    "network_drive": P(
        ("Netwerkschijf weg", "{drive} schijf niet bereikbaar", "Kan niet bij gedeelde map"),
        (
            "Mijn {drive} schijf is verdwenen uit de Verkenner.",
            "Bij het openen van de {drive} schijf staat er 'Het netwerkpad is niet gevonden'.",
            "Bestanden op de afdelingsschijf openen heel traag of helemaal niet.",
        ),
        (
            "Schijfkoppeling niet opnieuw gemaakt na aanmelden buiten het netwerk.",
            "Fileserver {host} overbelast.",
        ),
        (
            "Schijven opnieuw gekoppeld via aanmeldscript, zichtbaar.",
            "Fileserver herstart buiten kantoortijd, bestanden weer snel.",
        ),
        "Netwerkschijf (G:, H:) niet zichtbaar",
        (
            "Controleer of je op kantoor bent of VPN verbonden hebt.",
            "Meld je af en weer aan zodat de schijven opnieuw koppelen.",
            "Typ anders in de Verkenner het pad \\\\srv-file-02\\afdelingen.",
        ),
        (
            "Niemand kan bij de {drive} schijf, 'Het netwerkpad is niet gevonden'.",
            "Fileserver srv-file-02 onbereikbaar na update.",
            "Fileserver hersteld en herstart, schijven weer bereikbaar.",
        ),
    ),
    "internet_outage": P(
        ("Geen internet", "internet ligt eruit", "Netwerk storing op {building}"),
        (
            "Op de {building} hebben we geen internet, ook niet via de kabel.",
            "Websites laden niet, ik krijg 'Geen internettoegang'.",
            "Het netwerk op onze verdieping is er helemaal uit.",
        ),
        ("Defecte switch op de verdieping.", "Storing bij de internetprovider."),
        (
            "Switch vervangen door netwerkbeheer, verbinding hersteld.",
            "Provider heeft storing verholpen, verbinding gecontroleerd.",
        ),
        "Geen internet op kantoor: wat kun je controleren",
        (
            "Controleer of de netwerkkabel goed in de laptop en het wandcontact zit.",
            "Probeer wifi in plaats van de kabel (of andersom).",
            "Hebben collega's het ook, meld het dan telefonisch bij de servicedesk.",
        ),
        (
            "Het hele {building} heeft geen internet meer.",
            "Uitval van de glasvezelverbinding naar de {building}.",
            "Provider heeft de verbinding hersteld; netwerk gemonitord tot stabiel.",
        ),
    ),
    "wifi_connect": P(
        ("Wifi werkt niet", "geen verbinding met wifi", "wifi valt steeds weg"),
        (
            "Mijn laptop maakt geen verbinding meer met het wifi-netwerk Rivierstad.",
            "De wifi in de vergaderzaal op de {building} valt steeds weg.",
            "Ik zie het wifi-netwerk wel maar hij blijft op 'Identiteit controleren' staan.",
        ),
        ("Wifi-certificaat niet vernieuwd.", "Slechte dekking, access point defect."),
        (
            "Wifi-profiel opnieuw uitgerold, verbinding stabiel.",
            "Access point vervangen door netwerkbeheer.",
        ),
        "Geen verbinding met het wifi-netwerk",
        (
            "Zet wifi uit en weer aan, of de vliegtuigmodus aan en uit.",
            "Vergeet het netwerk en verbind opnieuw met je account.",
            "Blijft het hangen op 'Identiteit controleren', herstart dan de laptop op kantoor via de kabel.",
        ),
        (
            "Niemand op de {building} komt nog op de wifi.",
            "Wifi-controller vastgelopen.",
            "Wifi-controller herstart, alle access points weer online.",
        ),
    ),
    "guest_wifi": P(
        ("Gastwifi", "Wifi voor bezoekers", "code gastnetwerk"),
        (
            "Ik heb morgen externe bezoekers, hoe komen die op de gastwifi?",
            "De code van het gastnetwerk werkt niet meer.",
            "Mijn privételefoon wil niet verbinden met Rivierstad-Gast.",
        ),
        ("Wekelijkse wisseling van de gastcode.",),
        (
            "Nieuwe gastcode doorgegeven.",
            "Uitgelegd dat de gastwifi via het registratiescherm werkt.",
        ),
        "Wifi voor gasten en bezoekers",
        (
            "Bezoekers kiezen het netwerk Rivierstad-Gast.",
            "Ze registreren zich met hun mobiele nummer en krijgen een code per sms.",
            "De toegang geldt 24 uur.",
        ),
    ),
    "teams_calling": P(
        ("Teams bellen werkt niet", "Kan niet gebeld worden", "Geen geluid bij bellen"),
        (
            "Ik kan niet bellen via Teams, het nummer wordt niet gekozen.",
            "Externe bellers krijgen een in-gesprektoon als ze mij bellen.",
            "Bij Teams-gesprekken hoort de andere kant mij niet, mijn headset werkt wel.",
            "Teams geeft foutcode {teams_err} bij inloggen.",
        ),
        (
            "Telefoonnummer niet gekoppeld aan Teams-account.",
            "Verkeerd audioapparaat geselecteerd.",
        ),
        (
            "Nummer opnieuw gekoppeld aan Teams Phone, bellen werkt.",
            "Audio-instellingen aangepast, headset als standaard.",
        ),
        "Bellen met Teams: geluid en nummer controleren",
        (
            "Klik in Teams op ... > Instellingen > Apparaten en kies je headset.",
            "Doe een testgesprek.",
            "Wordt je nummer niet getoond onder 'Oproepen', meld het bij de servicedesk.",
        ),
        (
            "Niemand kan via Teams naar buiten bellen, klanten komen niet door.",
            "Storing bij de SIP-trunk van de provider.",
            "Provider heeft de trunk hersteld; inkomend en uitgaand bellen weer mogelijk.",
        ),
    ),
    "mobile_phone": P(
        ("Telefoon kapot", "nieuwe simkaart", "Mail op telefoon werkt niet"),
        (
            "Mijn {phone_model} van de zaak doet het niet meer, het scherm blijft zwart.",
            "Ik krijg mijn werkmail niet meer binnen op mijn telefoon.",
            "Ik heb een nieuwe simkaart nodig, de oude is beschadigd.",
            "Mijn zakelijke telefoon vraagt om een toegangscode van het bedrijfsportaal.",
        ),
        ("Toestel niet meer compliant in Intune.", "Defect toestel."),
        (
            "Toestel opnieuw ingeschreven in Intune, mail werkt.",
            "Vervangend toestel uitgegeven, oude retour naar leverancier.",
        ),
        "Werkmail op je zakelijke telefoon instellen",
        (
            "Installeer de Bedrijfsportal-app en meld je aan met je werkaccount.",
            "Volg de stappen om je toestel in te schrijven.",
            "Installeer daarna Outlook uit de bedrijfsportal.",
        ),
    ),
    "voicemail": P(
        ("Voicemail instellen", "voicemail uitzetten", "Afwezigheid telefoon"),
        (
            "Hoe stel ik een voicemail in op mijn Teams-nummer?",
            "Ik wil mijn voicemailbericht wijzigen voor de vakantie.",
            "Bellers komen direct op de voicemail terwijl ik gewoon online ben.",
        ),
        ("Doorschakeling stond aan.",),
        ("Doorschakeling uitgezet, uitgelegd hoe de voicemail in te stellen.",),
        "Je voicemail in Teams instellen",
        (
            "Ga in Teams naar Instellingen > Oproepen.",
            "Klik op 'Voicemail configureren' en neem een begroeting op.",
            "Controleer bij 'Oproepverwerking' dat doorschakelen uit staat.",
        ),
    ),
    "disk_full": P(
        ("Schijf vol op server", "schijfruimte {host}", "Disk bijna vol"),
        (
            "De schijf {mount} op {host} is voor {pct}% vol, applicatie geeft fouten.",
            "We krijgen meldingen dat er onvoldoende schijfruimte is op {host}.",
            "De applicatieserver kan geen logbestanden meer wegschrijven.",
        ),
        ("Logbestanden niet geroteerd.", "Groei van de database zonder opschoning."),
        (
            "Oude logbestanden opgeschoond en logrotatie ingesteld, {mount} weer onder 70%.",
            "Schijf uitgebreid met 50 GB.",
        ),
        "Schijf vol op een server: eerste acties",
        (
            "Bepaal met 'du -sh' of TreeSize welke map groeit.",
            "Ruim oude logbestanden op volgens het bewaarbeleid.",
            "Vergroot de schijf in vSphere als opschonen niet genoeg is en controleer de monitoring.",
        ),
    ),
    "backup_failed": P(
        ("Back-up mislukt", "backup job failed {host}", "Melding back-up"),
        (
            "De nachtelijke back-up van {host} is mislukt.",
            "Veeam meldt 'Failed' voor de job van de fileserver.",
            "Back-up is al twee nachten niet gelukt.",
        ),
        ("Snapshot kon niet worden gemaakt (VSS-fout).", "Opslag van de back-upreplica vol."),
        (
            "VSS-writers hersteld, back-up handmatig opnieuw gestart: geslaagd.",
            "Oude herstelpunten opgeschoond, job geslaagd.",
        ),
        "Mislukte Veeam-back-up afhandelen",
        (
            "Bekijk in de Veeam-console de foutmelding van de job.",
            "Controleer de VSS-writers met 'vssadmin list writers'.",
            "Start de job opnieuw en controleer de volgende ochtend het resultaat.",
        ),
    ),
    "server_unreachable": P(
        ("Server niet bereikbaar", "{host} down", "Applicatie server reageert niet"),
        (
            "Server {host} reageert niet meer, de applicatie is niet bereikbaar.",
            "We krijgen een time-out bij het openen van de applicatie op {host}.",
            "De website van de gemeente geeft een 503-fout.",
        ),
        ("Server vastgelopen na geheugenlek.", "Service niet gestart na Windows-update."),
        (
            "Server herstart en service gestart, applicatie weer bereikbaar.",
            "Geheugen uitgebreid, service gemonitord.",
        ),
        "Server niet bereikbaar: checklist",
        (
            "Controleer in de monitoring of de server nog reageert op ping.",
            "Log in via de console en controleer de services.",
            "Herstart de service of server en informeer de servicedesk over de storing.",
        ),
        (
            "De applicatie op {host} is voor iedereen onbereikbaar.",
            "Server {host} vastgelopen.",
            "Server herstart en oorzaak onderzocht; applicatie weer beschikbaar.",
        ),
    ),
    "file_restore": P(
        ("Bestand terugzetten", "Map per ongeluk verwijderd", "oude versie document nodig"),
        (
            "Ik heb per ongeluk een map verwijderd op de {drive} schijf, kunnen jullie die terugzetten?",
            "Een Excel-bestand is overschreven, ik heb de versie van vorige week nodig.",
            "Bestanden in onze afdelingsmap zijn verdwenen.",
        ),
        ("Bestand door gebruiker verwijderd.",),
        (
            "Map teruggezet vanuit de back-up van gisteravond.",
            "Vorige versie via schaduwkopie hersteld.",
        ),
        "Een verwijderd bestand of vorige versie terugzetten",
        (
            "Klik met rechts op de map en kies 'Vorige versies herstellen'.",
            "Kies een versie van vóór de wijziging en klik op Herstellen.",
            "Lukt het niet, vraag een herstel aan bij de servicedesk met pad en datum.",
        ),
    ),
    "afas_login": P(
        ("AFAS inloggen lukt niet", "AFAS Pocket", "InSite niet bereikbaar"),
        (
            "Ik kan niet inloggen op AFAS InSite, ik krijg een foutmelding.",
            "AFAS Pocket vraagt steeds opnieuw om te koppelen.",
            "Na het inloggen in AFAS zie ik een leeg scherm.",
        ),
        ("Koppeling met single sign-on verlopen.", "Gebruiker niet actief in AFAS."),
        ("SSO-koppeling hersteld, inloggen lukt.", "Medewerker geactiveerd in AFAS Profit."),
        "Inloggen op AFAS InSite en Pocket",
        (
            "Gebruik de link op het intranet (inloggen gaat met je werkaccount).",
            "Koppel AFAS Pocket opnieuw via 'Instellingen > Omgeving'.",
            "Zie je een leeg scherm, wis de cache van je browser.",
        ),
        (
            "Niemand kan inloggen op AFAS InSite.",
            "Storing bij AFAS Online.",
            "Storing door AFAS verholpen, InSite weer bereikbaar.",
        ),
    ),
    "payslip_declaration": P(
        ("Declaratie blijft hangen", "{hr_thing} in AFAS", "Salarisstrook niet zichtbaar"),
        (
            "Mijn {hr_thing} staat al twee weken op 'In behandeling' in AFAS.",
            "Ik kan mijn salarisstrook van deze maand niet vinden in InSite.",
            "Bij het indienen van een {hr_thing} krijg ik een foutmelding over de kostenplaats.",
        ),
        ("Workflow stond bij een vertrokken leidinggevende.", "Kostenplaats niet actief."),
        (
            "Workflow omgezet naar de nieuwe leidinggevende.",
            "Kostenplaats geactiveerd, declaratie opnieuw ingediend.",
        ),
        "Je declaratie of verlofaanvraag in AFAS volgen",
        (
            "Open InSite > Mijn taken > 'Mijn dossier'.",
            "Bekijk bij de aanvraag bij wie de taak ligt.",
            "Staat hij bij iemand die vertrokken is, meld het bij functioneel beheer HR.",
        ),
    ),
    "invoice_workflow": P(
        ("Factuur blijft hangen", "factuur {invoice} in workflow", "Kan factuur niet goedkeuren"),
        (
            "Factuur {invoice} staat bij mij in de workflow maar ik kan hem niet goedkeuren in {fin_app}.",
            "Ik krijg een foutmelding 'budgethouder onbekend' bij het accorderen van facturen.",
            "De factuur van de leverancier is niet te vinden in {fin_app}.",
        ),
        ("Budgethoudermandaat niet ingericht.", "Factuur verkeerd ingelezen door scanstraat."),
        (
            "Mandaat toegevoegd, factuur goedgekeurd.",
            "Factuur opnieuw ingelezen en in workflow gezet.",
        ),
        "Facturen accorderen in de workflow",
        (
            "Open de workflow via 'Mijn taken' in {fin_app}.",
            "Controleer het bedrag en de kostenplaats en kies 'Akkoord'.",
            "Krijg je 'budgethouder onbekend', vraag het mandaat aan bij functioneel beheer Financiën.",
        ),
    ),
    "finance_report": P(
        ("Rapportage klopt niet", "Rapport {fin_app} fout", "Export werkt niet"),
        (
            "Het uitputtingsrapport in {fin_app} geeft andere bedragen dan vorige week.",
            "De export naar Excel vanuit {fin_app} blijft hangen.",
            "Ik mis boekingen in het maandrapport.",
        ),
        (
            "Rapport gebruikte verkeerde periode-instelling.",
            "Nachtelijke verwerking niet gedraaid.",
        ),
        (
            "Periode-instelling in rapport aangepast.",
            "Verwerking opnieuw gestart, rapport klopt weer.",
        ),
        "Rapportages in het financiële systeem",
        (
            "Controleer de gekozen periode en het boekjaar.",
            "Ververs de gegevens (de verwerking draait 's nachts).",
            "Exporteer grote rapporten als CSV in plaats van Excel.",
        ),
    ),
    "case_not_visible": P(
        (
            "Zaak niet zichtbaar",
            "zaak {zaaknr} kan ik niet openen",
            "Zaaksysteem geeft foutmelding",
        ),
        (
            "Ik kan zaak {zaaknr} niet openen in het zaaksysteem, er staat 'geen rechten'.",
            "Zaken van mijn team zijn niet meer zichtbaar in mijn werkvoorraad.",
            "Het zaaksysteem geeft 'Er is een onverwachte fout opgetreden' bij het openen van een zaak.",
        ),
        ("Zaak toegewezen aan verkeerde afdeling.", "Rol ontbrak in het zaaksysteem."),
        (
            "Zaak overgedragen aan de juiste behandelaar.",
            "Rol 'behandelaar' toegekend, zaken zichtbaar.",
        ),
        "Een zaak is niet zichtbaar in je werkvoorraad",
        (
            "Controleer het filter van je werkvoorraad (afdeling en status).",
            "Zoek de zaak op zaaknummer.",
            "Zie je 'geen rechten', vraag de coördinator de zaak aan jou toe te wijzen.",
        ),
    ),
    "document_templates": P(
        ("Sjabloon werkt niet", "Document aanmaken in zaak", "brief genereren mislukt"),
        (
            "Als ik een brief wil maken vanuit zaak {zaaknr} blijft het scherm wit.",
            "De sjablonen in het zaaksysteem vullen de adresgegevens niet meer in.",
            "Documenten openen niet in Word vanuit het zaaksysteem.",
        ),
        (
            "Sjabloon niet gepubliceerd na wijziging.",
            "Word-plugin van het zaaksysteem niet geïnstalleerd.",
        ),
        ("Sjabloon opnieuw gepubliceerd.", "Plugin geïnstalleerd, documenten openen weer."),
        "Documenten maken vanuit een zaak",
        (
            "Open de zaak en kies 'Document toevoegen' > 'Uit sjabloon'.",
            "Controleer dat de Word-plugin aanstaat (Bestand > Opties > Invoegtoepassingen).",
            "Meld ontbrekende velden bij functioneel beheer met zaaknummer en sjabloonnaam.",
        ),
    ),
    "citrix_login": P(
        ("Citrix inloggen", "Citrix Workspace werkt niet", "Kan niet in Citrix"),
        (
            "Ik kan niet inloggen op Citrix Workspace, ik krijg 'Kan geen verbinding maken met de server'.",
            "Citrix vraagt steeds opnieuw om mijn wachtwoord.",
            "Na het klikken op het bureaublad in Citrix gebeurt er niets.",
        ),
        ("Verouderde Citrix Workspace-app.", "Sessie bleef hangen op de server."),
        (
            "Citrix Workspace-app bijgewerkt, inloggen lukt.",
            "Hangende sessie afgemeld via Citrix Director.",
        ),
        "Inloggen op Citrix Workspace lukt niet",
        (
            "Controleer of je de laatste Citrix Workspace-app hebt.",
            "Ga naar https://werkplek.rivierstad.example en log in via de browser.",
            "Blijft het hangen, laat de servicedesk je sessie afmelden.",
        ),
        (
            "Niemand kan inloggen op Citrix, 'Kan geen verbinding maken met de server'.",
            "Storing op de Citrix StoreFront-server.",
            "StoreFront-service herstart, inloggen werkt weer.",
        ),
    ),
    "citrix_session": P(
        ("Citrix sessie bevriest", "Citrix traag", "Citrix valt weg"),
        (
            "Mijn Citrix-sessie bevriest elke paar minuten en ik verlies mijn werk.",
            "In Citrix reageert alles heel traag, typen loopt achter.",
            "Ik word steeds uit mijn Citrix-sessie gegooid.",
        ),
        ("Overbelaste Citrix-server {host}.", "Profiel te groot geworden."),
        (
            "Gebruiker verplaatst naar andere server, profiel opgeschoond.",
            "Load balancing aangepast, sessie stabiel.",
        ),
        "Citrix-sessie traag of bevroren",
        (
            "Sla je werk op en meld je af (niet alleen het venster sluiten).",
            "Log opnieuw in; je krijgt mogelijk een andere server.",
            "Blijft het traag, meld het met tijdstip en servernaam.",
        ),
    ),
    "onedrive_sync": P(
        ("OneDrive synchroniseert niet", "OneDrive fout", "bestanden niet gesynct"),
        (
            "OneDrive staat al dagen op 'Synchronisatie in behandeling'.",
            "Er staat een rood kruisje bij mijn OneDrive-bestanden.",
            "Bestanden die ik thuis opsla zie ik op kantoor niet terug.",
        ),
        ("Bestandsnaam met ongeldige tekens.", "Pad te lang."),
        (
            "Ongeldige bestandsnamen hernoemd, synchronisatie hervat.",
            "OneDrive opnieuw ingesteld (reset), synchroniseert.",
        ),
        "OneDrive synchroniseert niet",
        (
            "Klik op het OneDrive-wolkje en bekijk de foutmeldingen.",
            "Hernoem bestanden met tekens als # % : ? of lange paden.",
            "Helpt dat niet, pauzeer de synchronisatie en hervat deze.",
        ),
    ),
    "sharepoint_access": P(
        ("SharePoint toegang", "Geen toegang tot Teams-kanaal", "Site niet zichtbaar"),
        (
            "Ik heb geen toegang tot de SharePoint-site van het project.",
            "Ik krijg 'U hebt hier nog geen toegang toe' bij een link van een collega.",
            "Ik ben uit het team van {dept} verdwenen in Teams.",
        ),
        ("Gebruiker niet toegevoegd als lid.", "Externe deling uitgeschakeld."),
        ("Gebruiker als lid toegevoegd door site-eigenaar.", "Toegang via eigenaar geregeld."),
        "Toegang tot een SharePoint-site of Teams-team",
        (
            "Klik op 'Toegang aanvragen' op de foutpagina.",
            "De eigenaar van het team krijgt je verzoek.",
            "Weet je niet wie de eigenaar is, vraag de servicedesk het op te zoeken.",
        ),
    ),
    "teams_meeting": P(
        ("Teams vergadering problemen", "camera werkt niet in Teams", "Scherm delen lukt niet"),
        (
            "Mijn camera werkt niet in Teams, de anderen zien een zwart beeld.",
            "Ik kan mijn scherm niet delen in een Teams-vergadering.",
            "Teams crasht steeds bij het starten van een vergadering.",
        ),
        ("Camera geblokkeerd in privacy-instellingen.", "Beschadigde Teams-cache."),
        (
            "Camera-toegang aangezet in Windows-privacy-instellingen.",
            "Teams-cache gewist, werkt weer.",
        ),
        "Camera, microfoon of scherm delen werkt niet in Teams",
        (
            "Controleer in Windows Instellingen > Privacy dat apps de camera mogen gebruiken.",
            "Sluit Teams volledig af en wis de cache (%appdata%\\Microsoft\\Teams).",
            "Start Teams opnieuw en doe een testgesprek.",
        ),
    ),
    "app_crash": P(
        ("Applicatie crasht", "Foutmelding bij opslaan", "programma sluit af"),
        (
            "De applicatie Burgerzaken sluit af zodra ik op 'Opslaan' klik.",
            "Bij het openen van een dossier krijg ik 'Object reference not set to an instance of an object'.",
            "Sinds de nieuwe versie crasht het programma bij het afdrukken van een overzicht.",
        ),
        ("Bug in versie 4.2 van de applicatie.", "Fout in de laatste release."),
        (
            "Leverancier heeft een hotfix uitgerold, probleem opgelost.",
            "Bug gemeld bij ontwikkelteam, gefixt in release 4.2.1.",
        ),
        "Bekende fout: applicatie sluit af bij opslaan",
        (
            "Sla tussentijds op en vermijd de functie 'Opslaan en sluiten'.",
            "Werk via de webversie tot de hotfix is uitgerold.",
            "Meld het met tijdstip en schermafdruk zodat het aan het probleem gekoppeld wordt.",
        ),
    ),
    "wrong_data": P(
        ("Gegevens kloppen niet", "Verkeerde berekening", "Data fout in overzicht"),
        (
            "Het overzicht in de applicatie rekent de toeslag verkeerd uit.",
            "Adressen in het systeem worden na opslaan overschreven met oude gegevens.",
            "Bedragen in het overzicht wijken af van de brondata.",
        ),
        ("Fout in de berekeningsmodule.", "Synchronisatiefout met basisregistratie."),
        (
            "Fix door ontwikkelteam uitgerold en gegevens gecorrigeerd.",
            "Synchronisatie hersteld en data opnieuw ingelezen.",
        ),
        "Bekende fout: afwijkende berekening in overzichten",
        (
            "Controleer de brondata en de peildatum van het overzicht.",
            "Noteer voorbeeld-dossiers met het verschil.",
            "Meld het aan de servicedesk; het wordt als probleem bij de leverancier uitgezet.",
        ),
    ),
    "laptop_damage": P(
        ("Laptop kapot", "scherm gebroken", "toetsenbord defect"),
        (
            "Mijn laptop is gevallen en het scherm is gebarsten.",
            "Een aantal toetsen op mijn {laptop} werkt niet meer.",
            "Er is koffie over mijn laptop gegaan.",
        ),
        ("Fysieke schade door val.", "Vloeistofschade."),
        (
            "Reparatie aangevraagd bij Dell ProSupport, monteur heeft scherm vervangen.",
            "Leenlaptop uitgegeven, laptop ter reparatie.",
        ),
        "Schade aan je laptop melden",
        (
            "Zet de laptop uit en laad hem niet op bij vloeistofschade.",
            "Meld de schade via het portaal met foto.",
            "Je krijgt een leenlaptop zolang de reparatie duurt.",
        ),
    ),
    "no_power": P(
        ("Laptop start niet op", "laptop gaat niet aan", "batterij laadt niet"),
        (
            "Mijn laptop gaat niet meer aan, ook niet met de lader.",
            "De batterij van mijn {laptop} laadt niet op.",
            "Het lampje van de lader brandt niet meer.",
        ),
        ("Defecte adapter.", "Batterij defect."),
        ("Nieuwe adapter uitgegeven, laptop laadt weer.", "Batterij vervangen onder garantie."),
        "Laptop start niet of laadt niet op",
        (
            "Probeer een andere lader of het dockingstation.",
            "Houd de aan-knop 30 seconden ingedrukt zonder lader (harde reset).",
            "Werkt het niet, kom langs bij de IT-balie voor een vervangende lader.",
        ),
    ),
    "phishing": P(
        ("Verdachte mail", "Phishing?", "Is deze mail echt?"),
        (
            "Ik heb een mail gekregen die op een bericht van Microsoft lijkt en vraagt om mijn wachtwoord.",
            "Ik heb op een link geklikt in een mail over een 'onbetaalde factuur', is dit phishing?",
            "Ik kreeg een mail van 'de directeur' die vraagt om cadeaubonnen te kopen.",
        ),
        ("Phishingcampagne gericht op de organisatie.", "CEO-fraude poging."),
        (
            "Mail in alle mailboxen verwijderd, afzender geblokkeerd. Gebruiker had niets ingevuld.",
            "Wachtwoord gereset en sessies ingetrokken omdat gebruiker inloggegevens had ingevuld.",
        ),
        "Phishing herkennen en melden",
        (
            "Klik niet op links en open geen bijlagen in verdachte mail.",
            "Gebruik de knop 'Phishing melden' in Outlook.",
            "Heb je je wachtwoord ingevuld, bel dan direct de servicedesk.",
        ),
    ),
    "lost_device": P(
        ("Laptop kwijt", "telefoon gestolen", "Verlies zakelijke telefoon"),
        (
            "Mijn zakelijke telefoon is gisteren in de trein blijven liggen.",
            "Mijn laptop is gestolen uit de auto.",
            "Ik ben mijn tas met laptop en pas kwijt.",
        ),
        ("Verlies of diefstal van apparaat.",),
        (
            "Apparaat op afstand gewist via Intune, sessies ingetrokken, datalek-check gedaan.",
            "Toestel geblokkeerd en vervangend toestel besteld.",
        ),
        "Wat te doen bij verlies of diefstal van een apparaat",
        (
            "Bel direct de servicedesk, ook buiten kantoortijd via het storingsnummer.",
            "IT wist het apparaat op afstand.",
            "Doe bij diefstal aangifte en meld het bij de privacy officer.",
        ),
    ),
    "malware_alert": P(
        ("Virusmelding", "Defender melding", "verdacht programma"),
        (
            "Defender geeft de melding '{malware}' op mijn laptop.",
            "Er verschijnen rare pop-ups en mijn browser opent zelf websites.",
            "Mijn virusscanner zegt dat er een bedreiging is gevonden in een bijlage.",
        ),
        ("Malware uit bijlage gedownload.", "Potentieel ongewenste software geïnstalleerd."),
        (
            "Laptop in quarantaine, volledige scan en herinstallatie uitgevoerd.",
            "Bedreiging verwijderd door Defender, geen verdere activiteit.",
        ),
        "Een melding van Microsoft Defender",
        (
            "Klik niet op 'Toestaan'.",
            "Koppel je laptop los van het netwerk als Defender de dreiging niet kon verwijderen.",
            "Meld het bij de servicedesk met de naam van de dreiging.",
        ),
    ),
    "hardware_request": P(
        ("Aanvraag headset", "nieuwe laptop aanvragen", "Extra scherm aanvragen"),
        (
            "Ik wil graag een nieuwe headset aanvragen, de oude is kapot.",
            "Mijn laptop is vijf jaar oud, kan ik een nieuwe krijgen?",
            "Voor thuiswerken wil ik een extra monitor en toetsenbord aanvragen.",
        ),
        ("Standaard aanvraag.",),
        (
            "Besteld via de webshop, gebruiker kan het ophalen bij de IT-balie.",
            "Aanvraag goedgekeurd en uitgeleverd.",
        ),
        "Hardware aanvragen (headset, monitor, laptop)",
        (
            "Vraag hardware aan via het portaal onder 'Bestellen'.",
            "Je leidinggevende keurt de aanvraag goed.",
            "Je krijgt een mail als je bestelling klaarligt bij de IT-balie.",
        ),
    ),
    "software_request": P(
        ("Licentie aanvragen", "Aanvraag {sw}", "software bestellen"),
        (
            "Ik wil graag een licentie voor {sw} aanvragen.",
            "Voor een project hebben wij drie licenties {sw} nodig.",
            "Kan ik een Visio-licentie krijgen?",
        ),
        ("Standaard licentieaanvraag.",),
        (
            "Licentie toegekend en software beschikbaar gesteld.",
            "Licenties besteld bij leverancier en toegewezen.",
        ),
        "Software of een licentie aanvragen",
        (
            "Kijk eerst in Software Center of het programma al beschikbaar is.",
            "Vraag betaalde software aan via het portaal met kostenplaats.",
            "Na goedkeuring wordt de software binnen twee werkdagen beschikbaar gesteld.",
        ),
    ),
    "new_employee": P(
        ("Nieuwe medewerker", "Indiensttreding", "Account voor nieuwe collega"),
        (
            "Per 1 {month} begint er een nieuwe collega bij {dept}. Graag een account en laptop.",
            "Onze nieuwe medewerker heeft nog geen account en begint maandag.",
            "Nieuwe stagiair, heeft toegang nodig tot mail, Teams en de afdelingsschijf.",
        ),
        ("Indiensttreding niet tijdig gemeld door HR.",),
        (
            "Account aangemaakt, laptop klaargezet en rechten zoals collega ingericht.",
            "Indienstproces afgerond, welkomstmail verstuurd.",
        ),
        "Een nieuwe medewerker aanmelden",
        (
            "HR legt de indiensttreding vast in AFAS; dat maakt automatisch een account aan.",
            "Vraag de laptop en extra rechten minstens tien werkdagen vooraf aan via het portaal.",
            "Op de eerste dag haalt de medewerker de laptop op bij de IT-balie.",
        ),
    ),
    "leaver": P(
        ("Uitdiensttreding", "Account afsluiten", "Medewerker vertrekt"),
        (
            "Onze collega gaat per eind van de maand uit dienst, graag het account afsluiten.",
            "Kan de mailbox van een vertrokken collega doorgestuurd worden naar mij?",
            "De laptop van een vertrokken medewerker moet ingeleverd worden.",
        ),
        ("Uitdiensttreding.",),
        (
            "Account geblokkeerd, mailbox omgezet naar gedeelde mailbox, laptop ingenomen.",
            "Uitdienstproces afgerond.",
        ),
        "Een vertrekkende medewerker afmelden",
        (
            "HR legt de uitdiensttreding vast in AFAS.",
            "Het account wordt op de laatste werkdag om 17:00 geblokkeerd.",
            "Lever laptop, telefoon en pas in bij de IT-balie.",
        ),
    ),
    "eform_error": P(
        (
            "E-formulier werkt niet",
            "Formulier website foutmelding",
            "Inwoners kunnen formulier niet versturen",
        ),
        (
            "Inwoners bellen dat het formulier '{form}' op de website een foutmelding geeft.",
            "Het e-formulier '{form}' verstuurt niets, aanvragen komen niet binnen in het zaaksysteem.",
            "Bij het inloggen met DigiD op het formulier krijgen inwoners een foutmelding.",
        ),
        (
            "Koppeling tussen formulier en zaaksysteem verbroken.",
            "Verlopen certificaat voor DigiD-koppeling.",
        ),
        (
            "Koppeling hersteld, vastgelopen aanvragen opnieuw verwerkt.",
            "Certificaat vernieuwd, DigiD-login werkt weer.",
        ),
        "E-formulieren: aanvragen komen niet binnen",
        (
            "Controleer of het formulier bij het testen een bevestigingsmail stuurt.",
            "Kijk in de foutwachtrij van de koppeling.",
            "Meld het bij applicatiebeheer met formuliernaam en tijdstip.",
        ),
        (
            "Geen enkel e-formulier op de website komt nog binnen.",
            "Koppeling met het zaaksysteem uitgevallen.",
            "Koppeling hersteld door leverancier; aanvragen uit de wachtrij verwerkt.",
        ),
    ),
    "website_content": P(
        ("Tekst website aanpassen", "Pagina website klopt niet", "CMS inloggen"),
        (
            "Op de website staan nog de oude openingstijden van de Publiekshal.",
            "Ik kan niet inloggen in het CMS van de website.",
            "Een link op de pagina over afval verwijst naar een pagina die niet bestaat.",
        ),
        ("Redacteurrechten ontbraken.", "Verouderde content."),
        ("Redacteurrechten toegekend in het CMS.", "Pagina aangepast door webredactie."),
        "Pagina's op de website aanpassen",
        (
            "Log in op het CMS met je werkaccount.",
            "Pas de pagina aan en kies 'Ter controle'.",
            "De webredactie publiceert de wijziging binnen een werkdag.",
        ),
    ),
}

FRAMES = Frames(
    greetings=(
        "Hoi,",
        "Hallo,",
        "Goedemorgen,",
        "Beste servicedesk,",
        "Hallo ICT,",
        "Goedemiddag,",
        "Beste collega's,",
        "Hoi ICT,",
    ),
    signoffs=(
        "Groet,",
        "Met vriendelijke groet,",
        "Groetjes,",
        "Alvast bedankt!",
        "Mvg,",
        "Dank je wel alvast,",
        "Gr,",
    ),
    impact_cues={
        Level.HIGH: (
            "De hele afdeling kan niet werken.",
            "Niemand op de {building} kan verder.",
            "Dit speelt bij alle collega's van {dept}.",
            "Productie ligt stil.",
            "Het hele team zit stil.",
        ),
        Level.MEDIUM: (
            "Meerdere collega's in mijn team hebben hetzelfde.",
            "Ook mijn collega naast me heeft het.",
            "Bij een paar mensen van {dept} speelt dit ook.",
        ),
        Level.LOW: (
            "Alleen bij mij volgens mij.",
            "Collega's hebben er geen last van.",
            "Het gaat alleen om mijn account.",
        ),
    },
    urgency_cues={
        Level.HIGH: (
            "Ik heb over een half uur een klant aan de balie.",
            "Klant wacht!",
            "Dit moet vandaag om 12:00 de deur uit.",
            "Spoed aub!!",
            "De raadsvergadering begint vanavond om 19:00.",
            "Ik kan nu helemaal niets.",
        ),
        Level.MEDIUM: (
            "Graag vandaag nog even kijken.",
            "Ik kan nu deels verder werken.",
            "Wil graag dat het deze week opgelost is.",
        ),
        Level.LOW: (
            "Geen haast hoor.",
            "Niet dringend, als jullie tijd hebben.",
            "Kan na het weekend ook.",
            "Niet urgent.",
        ),
    },
    escalation_cues=(
        "Al drie keer geprobeerd, het blijft terugkomen.",
        "Herinstallatie heeft niet geholpen.",
        "De servicedesk heeft al gekeken maar kwam er niet uit.",
        "Dit is al de derde melding hierover deze maand.",
        "Opnieuw opstarten en de stappen uit het KB-artikel helpen niet.",
        "Eerdere oplossing werkte maar een dag.",
    ),
    details=(
        "Ik heb de laptop al opnieuw opgestart.",
        "Sinds vanochtend.",
        "Sinds de update van gisteren.",
        "Ik werk vandaag thuis.",
        "Zie screenshot in de bijlage.",
        "Ik zit op de {building}.",
        "Gisteren werkte het nog wel.",
        "Ik zit op de 2e verdieping.",
        "Ik werk op een flexplek.",
    ),
    vague_subjects=("Probleem", "werkt niet", "Help", "storing", "vraag", "?"),
    vague_bodies=(
        "werkt niet",
        "Het doet het weer niet.",
        "help, alles hangt",
        "Kan iemand mij bellen? Het lukt niet.",
        "Probleem met de computer, graag contact.",
        "Het werkt weer eens niet...",
    ),
    phone_openers=(
        "Gebruiker belt: ",
        "{name} belt: ",
        "Mw. {last} belt, ",
        "Dhr. {last} belt: ",
        "Telefonisch gemeld: ",
        "Beller meldt: ",
    ),
    phone_closers=(
        "Terugbellen op {phone}.",
        "Bereikbaar op {phone}.",
        "Remote sessie aangeboden.",
        "Doorgezet.",
        "Gebruiker wacht op terugkoppeling.",
        "",
    ),
    chat_openers=("hoi", "hallo", "goedemorgen", "hee", "hoi servicedesk"),
    portal_fields=("Categorie", "Omschrijving", "Locatie", "Telefoonnummer"),
    forward_header="---------- Doorgestuurd bericht ----------\nVan: {fwd_name} <{fwd_email}>\n"
    "Verzonden: {fwd_date}\nAan: {name}\nOnderwerp: {subject}",
    forward_intro=(
        "Zie hieronder.",
        "Kunnen jullie hiernaar kijken?",
        "Ter info, graag oppakken.",
        "Mijn collega heeft dit probleem, kunnen jullie helpen?",
    ),
    mixed_inserts=(
        "Ik krijg steeds een error.",
        "Hij geeft een pop-up met 'Something went wrong'.",
        "Er staat 'Access denied'.",
        "De sync is failed.",
        "Hij blijft loading.",
        "Foutmelding: 'An unexpected error has occurred'.",
    ),
    kb_headings=("Symptoom", "Oorzaak", "Oplossing"),
    cancel_notes=(
        "Gebruiker heeft het zelf opgelost.",
        "Dubbele melding, zie andere ticket.",
        "Ingetrokken door melder.",
    ),
    outage_note="Gekoppeld aan storing; ",
)
