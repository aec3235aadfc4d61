<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name></name>
    <message>
        <source>Ingen överenskommelse skriven.</source>
        <translation>No agreement written.</translation>
    </message>
    <message>
        <source>Undertecknad {date}</source>
        <translation>Signed {date}</translation>
    </message>
    <message>
        <source>Inte undertecknad</source>
        <translation>Not signed</translation>
    </message>
    <message>
        <source>godkänd {date} av {who}</source>
        <translation>approved {date} by {who}</translation>
    </message>
    <message>
        <source>inte godkänd</source>
        <translation>not approved</translation>
    </message>
    <message>
        <source>Ange startdatum.</source>
        <translation>Enter a start date.</translation>
    </message>
    <message>
        <source>Startdatumet ligger mer än ett år bakåt i tiden.</source>
        <translation>The start date is more than a year in the past.</translation>
    </message>
    <message>
        <source>Startdatumet ligger mer än ett år framåt i tiden.</source>
        <translation>The start date is more than a year in the future.</translation>
    </message>
    <message>
        <source>{what}: datumet har redan passerat.</source>
        <translation>{what}: the date has already passed.</translation>
    </message>
    <message>
        <source>{what}: datumet ligger mer än ett år bakåt i tiden.</source>
        <translation>{what}: the date is more than a year in the past.</translation>
    </message>
    <message>
        <source>{what}: datumet ligger mer än fem år framåt i tiden.</source>
        <translation>{what}: the date is more than five years in the future.</translation>
    </message>
    <message>
        <source>Ange ett lösenord.</source>
        <translation>Enter a password.</translation>
    </message>
    <message>
        <source>Lösenorden är inte lika.</source>
        <translation>The passwords differ.</translation>
    </message>
    <message>
        <source>Mottagen</source>
        <translation>Received</translation>
    </message>
    <message>
        <source>Begärd</source>
        <translation>Requested</translation>
    </message>
    <message>
        <source>Ärende</source>
        <translation>Case</translation>
    </message>
    <message>
        <source>Första kontakt</source>
        <translation>First contact</translation>
    </message>
    <message>
        <source>Mål: senast {due}</source>
        <translation>Target: by {due}</translation>
    </message>
    <message>
        <source>Tid</source>
        <extracomment>Filter choices: (label sv, label en, action filter; a prefix ends in &quot;.&quot;).</extracomment>
        <translation>Time</translation>
    </message>
    <message>
        <source>Användare</source>
        <translation>User</translation>
    </message>
    <message>
        <source>Myndighet</source>
        <translation>Agency</translation>
    </message>
    <message>
        <source>Händelse</source>
        <translation>Incident</translation>
    </message>
    <message>
        <source>Person</source>
        <translation>Person</translation>
    </message>
    <message>
        <source>Post</source>
        <translation>Record</translation>
    </message>
    <message>
        <source>Skäl</source>
        <translation>Reason</translation>
    </message>
    <message>
        <source>Skyddade personuppgifter – visas med alias</source>
        <translation>Protected identity – shown by alias</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Aktualiserad av</source>
        <translation>Referred by</translation>
    </message>
    <message>
        <source>Beslut</source>
        <translation>Decision</translation>
    </message>
    <message>
        <source>Avslutsorsak</source>
        <translation>Reason for ending</translation>
    </message>
    <message>
        <source>Händelse {n}</source>
        <translation>Incident {n}</translation>
    </message>
    <message>
        <source>Möte</source>
        <translation>Meeting</translation>
    </message>
    <message>
        <source>Förfaller</source>
        <translation>Due</translation>
    </message>
    <message>
        <source>Försenad</source>
        <translation>Overdue</translation>
    </message>
    <message>
        <source>Rubrik</source>
        <translation>Title</translation>
    </message>
    <message>
        <source>Enhet</source>
        <translation>Unit</translation>
    </message>
    <message>
        <source>Ordförande</source>
        <translation>Chair</translation>
    </message>
    <message>
        <source>Ärenden</source>
        <translation>Cases</translation>
    </message>
    <message>
        <source>Hållet</source>
        <translation>Held</translation>
    </message>
    <message>
        <source>Ja</source>
        <translation>Yes</translation>
    </message>
    <message>
        <source>Ansvarig</source>
        <translation>Responsible</translation>
    </message>
    <message>
        <source>Ingen</source>
        <translation>None</translation>
    </message>
    <message>
        <source>Källa</source>
        <translation>Source</translation>
    </message>
    <message>
        <source>{done}/{total} klara</source>
        <translation>{done}/{total} done</translation>
    </message>
    <message>
        <source>Inträffade</source>
        <translation>Happened</translation>
    </message>
    <message>
        <source>Nummer</source>
        <translation>Number</translation>
    </message>
    <message>
        <source>Typ</source>
        <translation>Type</translation>
    </message>
    <message>
        <source>Område</source>
        <translation>District</translation>
    </message>
    <message>
        <source>Plats</source>
        <translation>Place</translation>
    </message>
    <message>
        <source>Rutinen</source>
        <translation>Routine</translation>
    </message>
</context>
<context>
    <name>ActionDialog</name>
    <message>
        <source>Ny åtgärd</source>
        <translation>New action</translation>
    </message>
    <message>
        <source>Lägg till åtgärd</source>
        <translation>Add action</translation>
    </message>
    <message>
        <source>Ingen namngiven person</source>
        <translation>No named person</translation>
    </message>
    <message>
        <source>Klart senast</source>
        <translation>Due by</translation>
    </message>
    <message>
        <source>Följs upp</source>
        <translation>Follow-up</translation>
    </message>
    <message>
        <source>Livsområde</source>
        <translation>Life area</translation>
    </message>
    <message>
        <source>Vad ska göras *</source>
        <translation>What is to be done *</translation>
    </message>
    <message>
        <source>Ansvarig myndighet</source>
        <translation>Responsible agency</translation>
    </message>
    <message>
        <source>Ansvarig person</source>
        <translation>Responsible person</translation>
    </message>
    <message>
        <source>Uppföljning</source>
        <translation>Follow-up</translation>
    </message>
    <message>
        <source>Beskriv vad som ska göras.</source>
        <translation>Describe what is to be done.</translation>
    </message>
    <message>
        <source>Texten är för lång (högst 10 000 tecken).</source>
        <translation>The text is too long (at most 10,000 characters).</translation>
    </message>
    <message>
        <source>Datumen är i fel ordning: uppföljningen ligger före datumet då åtgärden ska vara klar.</source>
        <translation>The dates are in the wrong order: the follow-up is before the action&apos;s due date.</translation>
    </message>
</context>
<context>
    <name>AdminPage</name>
    <message>
        <source>Första administratören</source>
        <translation>First administrator</translation>
    </message>
    <message>
        <source>Administratören hanterar användare, nycklar och säkerhetskopior men ser inga ärenden.</source>
        <translation>The administrator manages users, keys and backups but sees no cases.</translation>
    </message>
    <message>
        <source>Skapa lagringsplatsen</source>
        <translation>Create the store</translation>
    </message>
    <message>
        <source>t.ex. anna.admin</source>
        <translation>e.g. anna.admin</translation>
    </message>
    <message>
        <source>Förvaltningen</source>
        <translation>Administration office</translation>
    </message>
    <message>
        <source>Namn:</source>
        <translation>Name:</translation>
    </message>
    <message>
        <source>Användarnamn:</source>
        <translation>User name:</translation>
    </message>
    <message>
        <source>Myndighet:</source>
        <translation>Agency:</translation>
    </message>
    <message>
        <source>Enhet:</source>
        <translation>Unit:</translation>
    </message>
    <message>
        <source>Lösenord:</source>
        <translation>Password:</translation>
    </message>
    <message>
        <source>Upprepa lösenordet:</source>
        <translation>Repeat the password:</translation>
    </message>
    <message>
        <source>Minst 12 tecken. Ett långt lösenord av flera ord är både säkert och lätt att minnas.</source>
        <translation>At least 12 characters. A long password of several words is both safe and easy to remember.</translation>
    </message>
    <message>
        <source>Lösenordet uppfyller kraven.</source>
        <translation>The password meets the requirements.</translation>
    </message>
    <message>
        <source>Skriv lösenordet en gång till.</source>
        <translation>Type the password once more.</translation>
    </message>
    <message>
        <source>Skapar lagringsplatsen och nycklarna …</source>
        <translation>Creating the store and its keys …</translation>
    </message>
</context>
<context>
    <name>AgreementDialog</name>
    <message>
        <source>Överenskommelse</source>
        <translation>Agreement</translation>
    </message>
    <message>
        <source>Spara överenskommelsen</source>
        <translation>Save the agreement</translation>
    </message>
    <message>
        <source>Överenskommelsen är godkänd. Ändrar du den måste den godkännas igen.</source>
        <translation>The agreement is approved. If you change it, it must be approved again.</translation>
    </message>
    <message>
        <source>Undertecknad</source>
        <translation>Signed</translation>
    </message>
    <message>
        <source>Villkor *</source>
        <translation>Conditions *</translation>
    </message>
    <message>
        <source>Undertecknad den</source>
        <translation>Signed on</translation>
    </message>
    <message>
        <source>Skriv villkoren i överenskommelsen.</source>
        <translation>Write the conditions of the agreement.</translation>
    </message>
    <message>
        <source>Texten är för lång (högst 20 000 tecken).</source>
        <translation>The text is too long (at most 20,000 characters).</translation>
    </message>
    <message>
        <source>Datumet för undertecknandet ligger i framtiden.</source>
        <translation>The signing date is in the future.</translation>
    </message>
    <message>
        <source>Överenskommelsen kan inte vara undertecknad före förfrågan om stöd.</source>
        <translation>The agreement cannot have been signed before the request for support.</translation>
    </message>
</context>
<context>
    <name>AssignStepDialog</name>
    <message>
        <source>Ansvarig för steget</source>
        <translation>Responsible for the step</translation>
    </message>
    <message>
        <source>Spara</source>
        <translation>Save</translation>
    </message>
    <message>
        <source>Steget ägs av {agency}: välj någon därifrån.</source>
        <translation>The step belongs to {agency}: choose someone from there.</translation>
    </message>
    <message>
        <source>Ingen ansvarig</source>
        <translation>Nobody responsible</translation>
    </message>
    <message>
        <source>Ansvarig</source>
        <translation>Responsible</translation>
    </message>
    <message>
        <source>Välj någon annan än den som redan är ansvarig.</source>
        <translation>Choose someone other than the person already responsible.</translation>
    </message>
</context>
<context>
    <name>CasePicker</name>
    <message>
        <source>Sök ärendenummer, namn eller personnummer …</source>
        <translation>Search case number, name or personal identity number …</translation>
    </message>
    <message>
        <source>Inget ärende valt.</source>
        <translation>No case chosen.</translation>
    </message>
    <message>
        <source>Valt: {case}</source>
        <translation>Chosen: {case}</translation>
    </message>
    <message>
        <source>Inga ärenden hittades.</source>
        <translation>No cases found.</translation>
    </message>
</context>
<context>
    <name>CaseTabs</name>
    <message>
        <source>Översikt</source>
        <translation>Overview</translation>
    </message>
    <message>
        <source>Samtycken</source>
        <translation>Consents</translation>
    </message>
    <message>
        <source>Anteckningar</source>
        <translation>Notes</translation>
    </message>
    <message>
        <source>SIG &amp; plan</source>
        <translation>SIG &amp; plan</translation>
    </message>
    <message>
        <source>Avhoppare</source>
        <translation>Exit programme</translation>
    </message>
    <message>
        <source>Händelser</source>
        <translation>Incidents</translation>
    </message>
    <message>
        <source>Möten &amp; uppgifter</source>
        <translation>Meetings &amp; tasks</translation>
    </message>
    <message>
        <source>Dokument</source>
        <translation>Documents</translation>
    </message>
    <message>
        <source>Logg</source>
        <translation>Log</translation>
    </message>
    <message>
        <source>försenad</source>
        <extracomment>Text colour of overdue rows and values.</extracomment>
        <translation>overdue</translation>
    </message>
</context>
<context>
    <name>CaseTransitions</name>
    <message>
        <source>Aktivera ärendet</source>
        <extracomment>Button text per transition, and whether it needs a reason.</extracomment>
        <translation>Activate the case</translation>
    </message>
    <message>
        <source>Begär avslut …</source>
        <translation>Request closure …</translation>
    </message>
    <message>
        <source>Avslå avslut</source>
        <translation>Reject closure</translation>
    </message>
    <message>
        <source>Godkänn avslut</source>
        <translation>Approve closure</translation>
    </message>
    <message>
        <source>Öppna ärendet igen</source>
        <translation>Reopen the case</translation>
    </message>
</context>
<context>
    <name>CaseViewScreen</name>
    <message>
        <source>Ärende</source>
        <extracomment>What assistive technology calls the tab&apos;s list (accessibility.tune).</extracomment>
        <translation>Case</translation>
    </message>
    <message>
        <source>← Tillbaka</source>
        <translation>← Back</translation>
    </message>
    <message>
        <source>Ärendet kan inte visas</source>
        <translation>The case cannot be shown</translation>
    </message>
    <message>
        <source>Nödåtkomst: du läser det här ärendet med nödåtkomst till kl. {time}. Du har bara läsrätt. Allt du öppnar loggas och granskas av en chef.</source>
        <translation>Emergency access: you are reading this case with emergency access until {time}. You have read-only access. Everything you open is logged and reviewed by a supervisor.</translation>
    </message>
    <message>
        <source>Skyddad identitet visas för dig till kl. {time}. Visningen är loggad. Lämna inte skärmen obevakad.</source>
        <translation>The protected identity is shown to you until {time}. The reveal is logged. Do not leave the screen unattended.</translation>
    </message>
</context>
<context>
    <name>CasesScreen</name>
    <message>
        <source>Ärenden</source>
        <translation>Cases</translation>
    </message>
    <message>
        <source>Sök på ärendenummer, namn, personnummer eller alias …</source>
        <translation>Search by case number, name, personal identity number or alias …</translation>
    </message>
</context>
<context>
    <name>ChoicePage</name>
    <message>
        <source>Välkommen till Trefas</source>
        <translation>Welcome to Trefas</translation>
    </message>
    <message>
        <source>Det finns ingen lagringsplats här ännu.</source>
        <translation>There is no store here yet.</translation>
    </message>
    <message>
        <source>Lagringsplats: {path}</source>
        <translation>Store: {path}</translation>
    </message>
    <message>
        <source>Skapa en ny lagringsplats med en första administratör</source>
        <translation>Create a new store with a first administrator</translation>
    </message>
    <message>
        <source>Skapa en demonstrationslagringsplats med påhittade personer och ärenden</source>
        <translation>Create a demonstration store with invented persons and cases</translation>
    </message>
    <message>
        <source>Anslut till server</source>
        <translation>Connect to a server</translation>
    </message>
    <message>
        <source>För riktigt arbete. Administratören lägger sedan till användare och enheter.</source>
        <translation>For real work. The administrator then adds users and units.</translation>
    </message>
    <message>
        <source>För utbildning och test. Använd aldrig riktiga personuppgifter i en demonstrationslagringsplats.</source>
        <translation>For training and testing. Never use real personal data in a demonstration store.</translation>
    </message>
    <message>
        <source>Kontoret har en gemensam Trefas-server. Du loggar in med ditt eget konto från administratören.</source>
        <translation>The office has a shared Trefas server. You log in with your own account from the administrator.</translation>
    </message>
</context>
<context>
    <name>ConfirmAccountDialog</name>
    <message>
        <source>Bekräfta konto</source>
        <translation>Confirm account</translation>
    </message>
    <message>
        <source>Bekräfta</source>
        <translation>Confirm</translation>
    </message>
    <message>
        <source>Bekräfta {name} ({username}) som {role}? Kontot får då nyckeln till ärendeinnehållet enligt sin roll. Be personen läsa upp fingeravtrycket som visas på hens skärm (i person eller per telefon) och skriv in det. Kontot bekräftas bara om det stämmer med kontots nyckel.</source>
        <translation>Confirm {name} ({username}) as {role}? The account then gets the key to case content according to its role. Ask the person to read out the fingerprint shown on their screen (in person or by phone) and type it in. The account is confirmed only if it matches the account&apos;s key.</translation>
    </message>
    <message>
        <source>Fingeravtryck som personen läser upp</source>
        <translation>Fingerprint the person reads out</translation>
    </message>
    <message>
        <source>Fingeravtryck som personen läser upp:</source>
        <translation>Fingerprint the person reads out:</translation>
    </message>
</context>
<context>
    <name>ConsentDialog</name>
    <message>
        <source>Registrera samtycke</source>
        <translation>Record consent</translation>
    </message>
    <message>
        <source>Ändra samtycke (ny version)</source>
        <translation>Change consent (new version)</translation>
    </message>
    <message>
        <source>Spara samtycke</source>
        <translation>Save consent</translation>
    </message>
    <message>
        <source>t.ex. OSL 10 kap. 18 a §</source>
        <translation>e.g. OSL 10 kap. 18 a §</translation>
    </message>
    <message>
        <source>t.ex. Samverkan inom SIG</source>
        <translation>e.g. Joint work within SIG</translation>
    </message>
    <message>
        <source>Välj slutdatum</source>
        <translation>Choose end date</translation>
    </message>
    <message>
        <source>6 månader</source>
        <translation>6 months</translation>
    </message>
    <message>
        <source>1 år</source>
        <translation>1 year</translation>
    </message>
    <message>
        <source>Grund</source>
        <translation>Basis</translation>
    </message>
    <message>
        <source>Lagrum *</source>
        <translation>Legal provision *</translation>
    </message>
    <message>
        <source>Form</source>
        <translation>Form</translation>
    </message>
    <message>
        <source>Vårdnadshavare</source>
        <translation>Guardian</translation>
    </message>
    <message>
        <source>Syfte *</source>
        <translation>Purpose *</translation>
    </message>
    <message>
        <source>Gäller från</source>
        <translation>Valid from</translation>
    </message>
    <message>
        <source>Gäller till *</source>
        <translation>Valid until *</translation>
    </message>
    <message>
        <source>Uppgifter som får lämnas till:</source>
        <translation>Information that may be given to:</translation>
    </message>
    <message>
        <source>Får lämnas till</source>
        <translation>May be shared with</translation>
    </message>
    <message>
        <source>Ett samtycke måste ha ett slutdatum.</source>
        <translation>A consent needs an end date.</translation>
    </message>
    <message>
        <source>Slutdatumet ligger före startdatumet.</source>
        <translation>The end date is before the start date.</translation>
    </message>
    <message>
        <source>Slutdatumet har redan passerat.</source>
        <translation>The end date has already passed.</translation>
    </message>
    <message>
        <source>Ett samtycke kan gälla högst två år.</source>
        <translation>A consent may cover at most two years.</translation>
    </message>
    <message>
        <source>Ange syftet med samtycket.</source>
        <translation>State the purpose of the consent.</translation>
    </message>
    <message>
        <source>Välj minst en myndighet och en uppgiftskategori.</source>
        <translation>Choose at least one agency and one data category.</translation>
    </message>
    <message>
        <source>Ange lagrummet.</source>
        <translation>Enter the legal provision.</translation>
    </message>
    <message>
        <source>Personen är under 18 år: ange vårdnadshavaren som lämnat samtycket.</source>
        <translation>The person is under 18: name the guardian who gave consent.</translation>
    </message>
    <message>
        <source>Ange vårdnadshavaren.</source>
        <translation>Name the guardian.</translation>
    </message>
</context>
<context>
    <name>ConsentPanel</name>
    <message>
        <source>Vilka uppgifter som delas med vilken myndighet, enligt gällande samtycken.</source>
        <translation>Which information is shared with which agency, by current consents.</translation>
    </message>
    <message>
        <source>Registrera samtycke …</source>
        <translation>Record consent …</translation>
    </message>
    <message>
        <source>Historik</source>
        <translation>History</translation>
    </message>
    <message>
        <source>Ändra …</source>
        <translation>Edit …</translation>
    </message>
    <message>
        <source>Återkalla …</source>
        <translation>Withdraw …</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>Version</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Grund</source>
        <translation>Basis</translation>
    </message>
    <message>
        <source>Gäller</source>
        <translation>Valid</translation>
    </message>
    <message>
        <source>Mottagare och uppgifter</source>
        <translation>Recipients and information</translation>
    </message>
    <message>
        <source>Syfte</source>
        <translation>Purpose</translation>
    </message>
    <message>
        <source>Inhämtat av</source>
        <translation>Obtained by</translation>
    </message>
    <message>
        <source>Orsak till återkallelse: {r}</source>
        <translation>Reason for withdrawal: {r}</translation>
    </message>
    <message>
        <source>Återkalla samtycke</source>
        <translation>Withdraw consent</translation>
    </message>
    <message>
        <source>Orsak *</source>
        <translation>Reason *</translation>
    </message>
    <message>
        <source>Återkalla</source>
        <translation>Withdraw</translation>
    </message>
    <message>
        <source>Återkallelsen gäller direkt: de andra myndigheterna ser inte längre uppgifterna som samtycket omfattade.</source>
        <translation>The withdrawal takes effect at once: the other agencies no longer see the information the consent covered.</translation>
    </message>
</context>
<context>
    <name>DemoPage</name>
    <message>
        <source>Demonstrationslagringsplats</source>
        <translation>Demonstration store</translation>
    </message>
    <message>
        <source>Alla demoanvändare får samma lösenord. Personerna och ärendena är påhittade.</source>
        <translation>All demo users get the same password. The persons and cases are invented.</translation>
    </message>
    <message>
        <source>Skapa demo</source>
        <translation>Create demo</translation>
    </message>
    <message>
        <source>Lösenord för demoanvändarna:</source>
        <translation>Password for the demo users:</translation>
    </message>
</context>
<context>
    <name>EmergencyAccessDialog</name>
    <message>
        <source>Nödåtkomst</source>
        <translation>Emergency access</translation>
    </message>
    <message>
        <source>Begär nödåtkomst</source>
        <translation>Request emergency access</translation>
    </message>
    <message>
        <source>Använd nödåtkomst bara när ett ärende utanför ditt team måste läsas nu, till exempel vid akut fara. Du får läsrätt under den tid du väljer. Skälet loggas och granskas av en chef. Samtycket gäller fortfarande: det du inte får se visas inte.</source>
        <translation>Use emergency access only when a case outside your team must be read now, for example in acute danger. You get read access for the time you choose. The reason is logged and reviewed by a supervisor. Consent still applies: what you may not see is not shown.</translation>
    </message>
    <message numerus="yes">
        <source>%n timmar</source>
        <translation>
            <numerusform>%n hour</numerusform>
            <numerusform>%n hours</numerusform>
        </translation>
    </message>
    <message>
        <source>Ärendenummer *</source>
        <translation>Case number *</translation>
    </message>
    <message>
        <source>Skäl *</source>
        <translation>Reason *</translation>
    </message>
    <message>
        <source>Giltig i</source>
        <translation>Valid for</translation>
    </message>
    <message>
        <source>{n} av minst {m} tecken</source>
        <translation>{n} of at least {m} characters</translation>
    </message>
    <message>
        <source>Ange ärendenumret.</source>
        <translation>Enter the case number.</translation>
    </message>
    <message>
        <source>Skälet behöver minst {m} tecken.</source>
        <translation>The reason needs at least {m} characters.</translation>
    </message>
</context>
<context>
    <name>EndRecordDialog</name>
    <message>
        <source>Avsluta skyddsåtgärd</source>
        <translation>End protective measure</translation>
    </message>
    <message>
        <source>Avsluta stöd</source>
        <translation>End support</translation>
    </message>
    <message>
        <source>Avsluta</source>
        <translation>Quit</translation>
    </message>
    <message>
        <source>{kind}: {text} (sedan {date})</source>
        <translation>{kind}: {text} (since {date})</translation>
    </message>
    <message>
        <source>Slutdatum *</source>
        <translation>End date *</translation>
    </message>
    <message>
        <source>Ange slutdatum.</source>
        <translation>Enter an end date.</translation>
    </message>
    <message>
        <source>Datumen är i fel ordning: slutdatumet ligger före startdatumet.</source>
        <translation>The dates are in the wrong order: the end date is before the start date.</translation>
    </message>
    <message>
        <source>Slutdatumet ligger i framtiden.</source>
        <translation>The end date is in the future.</translation>
    </message>
</context>
<context>
    <name>EnrolDialog</name>
    <message>
        <source>Första inloggningen</source>
        <translation>First log-in</translation>
    </message>
    <message>
        <source>Välj lösenord</source>
        <translation>Choose password</translation>
    </message>
    <message>
        <source>Ange engångskoden du fick av administratören och välj ett eget lösenord (minst 12 tecken). Ingen annan får veta det. Därefter bekräftar en arbetsledare i din myndighet ditt konto.</source>
        <translation>Enter the one-time code you got from the administrator and choose a password of your own (at least 12 characters). Nobody else may know it. Then a supervisor of your agency confirms your account.</translation>
    </message>
    <message>
        <source>Användarnamn:</source>
        <translation>User name:</translation>
    </message>
    <message>
        <source>Engångskod:</source>
        <translation>One-time code:</translation>
    </message>
    <message>
        <source>Nytt lösenord:</source>
        <translation>New password:</translation>
    </message>
    <message>
        <source>Upprepa:</source>
        <translation>Repeat:</translation>
    </message>
    <message>
        <source>Ange användarnamn och engångskod.</source>
        <translation>Enter user name and one-time code.</translation>
    </message>
    <message>
        <source>Ditt lösenord är valt. Logga in med det; kontot väntar på bekräftelse från en arbetsledare i din myndighet.</source>
        <translation>Your password is set. Log in with it; the account waits for confirmation from a supervisor of your agency.</translation>
    </message>
</context>
<context>
    <name>EnrolmentCodeDialog</name>
    <message>
        <source>Engångskod</source>
        <translation>One-time code</translation>
    </message>
    <message>
        <source>Engångskod för {username} – visas bara nu och gäller i 72 timmar:</source>
        <translation>One-time code for {username} – shown only now, valid for 72 hours:</translation>
    </message>
    <message>
        <source>Ge koden till personen själv. Hen väljer sitt lösenord i inloggningsrutan (”Första inloggningen”) eller med ”trefas user enrol”. Därefter bekräftar en arbetsledare i samma myndighet kontot.</source>
        <translation>Give the code to the person themselves. They choose their password in the log-in box (&quot;First log-in&quot;) or with &quot;trefas user enrol&quot;. Then a supervisor of the same agency confirms the account.</translation>
    </message>
</context>
<context>
    <name>ExitMoveDialog</name>
    <message>
        <source>Ändra status – avhopparstöd</source>
        <translation>Change status – exit support</translation>
    </message>
    <message>
        <source>Ändra status</source>
        <translation>Change status</translation>
    </message>
    <message>
        <source>{number} · {person}
Nuvarande status: {state}</source>
        <translation>{number} · {person}
Current status: {state}</translation>
    </message>
    <message>
        <source>Välj ny status</source>
        <translation>Choose new status</translation>
    </message>
    <message>
        <source>Välj avslutsorsak</source>
        <translation>Choose the reason for ending</translation>
    </message>
    <message>
        <source>Ny status *</source>
        <translation>New status *</translation>
    </message>
    <message>
        <source>Avslutsorsak *</source>
        <translation>Reason for ending *</translation>
    </message>
    <message>
        <source>Välj den nya statusen.</source>
        <translation>Choose the new status.</translation>
    </message>
    <message>
        <source>Ange varför avhopparstödet avslutas.</source>
        <translation>State why the exit support ends.</translation>
    </message>
    <message>
        <source>Första kontakten registreras som tagen nu.</source>
        <translation>The first contact is recorded as made now.</translation>
    </message>
    <message>
        <source>Skriv in villkoren i överenskommelsen först.</source>
        <translation>Write the conditions of the agreement first.</translation>
    </message>
    <message>
        <source>Överenskommelsen måste godkännas av en enhetschef innan skydd och stöd kan börja.</source>
        <translation>The agreement must be approved by a supervisor before protection and support can start.</translation>
    </message>
    <message>
        <source>Personens samtycke måste omfatta alla myndigheter. Gällande samtycke saknas för {gaps}.</source>
        <translation>The person&apos;s consent must cover every agency. A current consent is missing for {gaps}.</translation>
    </message>
</context>
<context>
    <name>ExitPanel</name>
    <message>
        <source>Välj ett avhopparärende.</source>
        <extracomment>The user asked to open the case (the screen handles it).</extracomment>
        <translation>Choose an exit programme case.</translation>
    </message>
    <message>
        <source>Förfrågan</source>
        <translation>Request</translation>
    </message>
    <message>
        <source>Första kontakt senast</source>
        <translation>First contact by</translation>
    </message>
    <message>
        <source>Första kontakt</source>
        <translation>First contact</translation>
    </message>
    <message>
        <source>Behov</source>
        <translation>Needs</translation>
    </message>
    <message>
        <source>Överenskommelse</source>
        <translation>Agreement</translation>
    </message>
    <message>
        <source>Avslut</source>
        <translation>Closure</translation>
    </message>
    <message>
        <source>Första kontakt …</source>
        <translation>First contact …</translation>
    </message>
    <message>
        <source>Överenskommelse …</source>
        <translation>Agreement …</translation>
    </message>
    <message>
        <source>Godkänn överenskommelsen</source>
        <translation>Approve the agreement</translation>
    </message>
    <message>
        <source>Ändra status …</source>
        <translation>Change status …</translation>
    </message>
    <message>
        <source>Öppna ärendet</source>
        <translation>Open the case</translation>
    </message>
    <message>
        <source>Hotbedömningar</source>
        <translation>Threat assessments</translation>
    </message>
    <message>
        <source>Ny hotbedömning …</source>
        <translation>New threat assessment …</translation>
    </message>
    <message>
        <source>Datum</source>
        <translation>Date</translation>
    </message>
    <message>
        <source>Nivå</source>
        <translation>Level</translation>
    </message>
    <message>
        <source>Sammanfattning</source>
        <translation>Summary</translation>
    </message>
    <message>
        <source>Av</source>
        <translation>By</translation>
    </message>
    <message>
        <source>Inga hotbedömningar.</source>
        <translation>No threat assessments.</translation>
    </message>
    <message>
        <source>Skyddsåtgärder</source>
        <translation>Protective measures</translation>
    </message>
    <message>
        <source>Ny skyddsåtgärd …</source>
        <translation>New protective measure …</translation>
    </message>
    <message>
        <source>Avsluta vald …</source>
        <translation>End selected …</translation>
    </message>
    <message>
        <source>Typ</source>
        <translation>Type</translation>
    </message>
    <message>
        <source>Beskrivning</source>
        <translation>Description</translation>
    </message>
    <message>
        <source>Från</source>
        <translation>From</translation>
    </message>
    <message>
        <source>Till</source>
        <translation>To</translation>
    </message>
    <message>
        <source>Inga skyddsåtgärder.</source>
        <translation>No protective measures.</translation>
    </message>
    <message>
        <source>Stöd</source>
        <translation>Support</translation>
    </message>
    <message>
        <source>Nytt stöd …</source>
        <translation>New support …</translation>
    </message>
    <message>
        <source>Avsluta valt …</source>
        <translation>End selected …</translation>
    </message>
    <message>
        <source>Inget stöd registrerat.</source>
        <translation>No support recorded.</translation>
    </message>
    <message>
        <source>Första kontakten skulle ha tagits senast {due}. Kontakta personen nu.</source>
        <translation>First contact should have been made by {due}. Contact the person now.</translation>
    </message>
    <message>
        <source>Samtycket räcker inte för skydd och stöd. Gällande samtycke saknas för {gaps}.</source>
        <translation>The consent is not enough for protection and support. A current consent is missing for {gaps}.</translation>
    </message>
    <message>
        <source> (efter målet)</source>
        <translation> (after the target)</translation>
    </message>
    <message>
        <source>Inte tagen</source>
        <translation>Not made</translation>
    </message>
    <message>
        <source>Överenskommelsen behöver villkor och datum för undertecknandet.</source>
        <translation>The agreement needs conditions and a signing date.</translation>
    </message>
    <message>
        <source>Godkänn överenskommelsen för {number}? Den kan sedan inte ändras utan att godkännas på nytt.</source>
        <translation>Approve the agreement for {number}? It cannot then be changed without a new approval.</translation>
    </message>
    <message>
        <source>Godkänn</source>
        <translation>Approve</translation>
    </message>
    <message>
        <source>Avbryt</source>
        <translation>Cancel</translation>
    </message>
</context>
<context>
    <name>ExitRequestDialog</name>
    <message>
        <source>Begär avhopparstöd</source>
        <translation>Request exit support</translation>
    </message>
    <message>
        <source>Registrera förfrågan</source>
        <translation>Record request</translation>
    </message>
    <message>
        <source>Första kontakten ska tas inom 24 timmar från förfrågan. Förfrågan syns för avhopparverksamheten direkt{case}.</source>
        <translation>First contact is to be made within 24 hours of the request. The request is visible to the exit programme at once{case}.</translation>
    </message>
    <message>
        <source> (ärende {n})</source>
        <translation> (case {n})</translation>
    </message>
    <message>
        <source>Behov som är kända nu (kan fyllas i senare)</source>
        <translation>Needs known now (can be filled in later)</translation>
    </message>
    <message>
        <source>Behov</source>
        <translation>Needs</translation>
    </message>
    <message>
        <source>Texten är för lång (högst 20 000 tecken).</source>
        <translation>The text is too long (at most 20,000 characters).</translation>
    </message>
</context>
<context>
    <name>FirstContactDialog</name>
    <message>
        <source>Första kontakt</source>
        <translation>First contact</translation>
    </message>
    <message>
        <source>Registrera första kontakt</source>
        <translation>Record first contact</translation>
    </message>
    <message>
        <source>Förfrågan kom {requested}. Målet är kontakt senast {due}.</source>
        <translation>The request came {requested}. The target is contact by {due}.</translation>
    </message>
    <message>
        <source>Tidpunkt *</source>
        <translation>Time *</translation>
    </message>
    <message>
        <source>Tidpunkten ligger i framtiden.</source>
        <translation>The time is in the future.</translation>
    </message>
    <message>
        <source>Första kontakten kan inte ligga före förfrågan om stöd.</source>
        <translation>The first contact cannot be before the request for support.</translation>
    </message>
</context>
<context>
    <name>FirstRunWizard</name>
    <message>
        <source>Trefas – första start</source>
        <translation>Trefas – first start</translation>
    </message>
    <message>
        <source>Skapar demonstrationslagringsplatsen …</source>
        <extracomment>After &quot;Anslut till server&quot;: the address saved in the settings file.</extracomment>
        <translation>Creating the demonstration store …</translation>
    </message>
</context>
<context>
    <name>FollowUpDialog</name>
    <message>
        <source>Följ upp planen</source>
        <translation>Follow up the plan</translation>
    </message>
    <message>
        <source>Registrera uppföljning</source>
        <translation>Record follow-up</translation>
    </message>
    <message>
        <source>Planerad uppföljning: {date}</source>
        <translation>Planned follow-up: {date}</translation>
    </message>
    <message>
        <source>Nästa uppföljning *</source>
        <translation>Next follow-up *</translation>
    </message>
    <message>
        <source>Nästa uppföljning</source>
        <translation>Next follow-up</translation>
    </message>
</context>
<context>
    <name>GoalDialog</name>
    <message>
        <source>Nytt mål</source>
        <translation>New goal</translation>
    </message>
    <message>
        <source>Lägg till mål</source>
        <translation>Add goal</translation>
    </message>
    <message>
        <source>Livsområde</source>
        <translation>Life area</translation>
    </message>
    <message>
        <source>Mål *</source>
        <translation>Goal *</translation>
    </message>
    <message>
        <source>Beskriv målet.</source>
        <translation>Describe the goal.</translation>
    </message>
    <message>
        <source>Texten är för lång (högst 10 000 tecken).</source>
        <translation>The text is too long (at most 10,000 characters).</translation>
    </message>
</context>
<context>
    <name>HandoverDialog</name>
    <message>
        <source>Överlämning</source>
        <translation>Handover</translation>
    </message>
    <message>
        <source>Skapa överlämning</source>
        <translation>Create handover</translation>
    </message>
    <message>
        <source>Mottagande myndighet</source>
        <translation>Receiving agency</translation>
    </message>
    <message>
        <source>t.ex. Polismyndigheten, LPO Rinkeby</source>
        <translation>e.g. Police, LPO Rinkeby</translation>
    </message>
    <message>
        <source>Mottagare</source>
        <translation>Recipient</translation>
    </message>
    <message>
        <source>Ditt lösenord</source>
        <translation>Your password</translation>
    </message>
    <message>
        <source>En överlämning lämnar myndigheten. Bekräfta med ditt lösenord.</source>
        <translation>A handover leaves the agency. Confirm with your password.</translation>
    </message>
    <message>
        <source>Ta med den skyddade identitet som du har visat (namn, personnummer, telefon, adress)</source>
        <translation>Include the protected identity you have revealed (name, personal number, phone, address)</translation>
    </message>
    <message>
        <source>Utan bock anges personen med alias. Ditt val loggas.</source>
        <translation>Unticked, the person is shown by alias. Your choice is logged.</translation>
    </message>
    <message>
        <source>Lösenord för PDF-filen (valfritt)</source>
        <translation>Password for the PDF file (optional)</translation>
    </message>
    <message>
        <source>Upprepa lösenordet för PDF-filen</source>
        <translation>Repeat the password for the PDF file</translation>
    </message>
    <message>
        <source>Lösenordet för filen lämnas till mottagaren på annat sätt, minst {n} tecken.</source>
        <translation>Give the file&apos;s password to the recipient by another way; at least {n} characters.</translation>
    </message>
    <message>
        <source>Välj mottagande myndighet.</source>
        <translation>Choose the receiving agency.</translation>
    </message>
    <message>
        <source>Skriv ditt lösenord.</source>
        <translation>Type your password.</translation>
    </message>
    <message>
        <source>Lösenordet för PDF-filen måste ha minst {n} tecken.</source>
        <translation>The password for the PDF file must have at least {n} characters.</translation>
    </message>
    <message>
        <source>Lösenorden för PDF-filen är inte lika.</source>
        <translation>The passwords for the PDF file do not match.</translation>
    </message>
</context>
<context>
    <name>IncidentDialog</name>
    <message>
        <source>Rapportera händelse</source>
        <translation>Report incident</translation>
    </message>
    <message>
        <source>Rapportera</source>
        <translation>Report</translation>
    </message>
    <message>
        <source>Välj område</source>
        <translation>Choose district</translation>
    </message>
    <message>
        <source>t.ex. Rinkeby torg</source>
        <translation>e.g. Rinkeby torg</translation>
    </message>
    <message>
        <source>Vad har hänt? Skriv inte namn här – personer kopplas till händelsen via sina ärenden.</source>
        <translation>What happened? Do not write names here – persons are linked to the incident through their cases.</translation>
    </message>
    <message>
        <source>Typ</source>
        <translation>Type</translation>
    </message>
    <message>
        <source>Inträffade *</source>
        <translation>Happened *</translation>
    </message>
    <message>
        <source>Område (stadsdel) *</source>
        <translation>District *</translation>
    </message>
    <message>
        <source>Plats *</source>
        <translation>Place *</translation>
    </message>
    <message>
        <source>Beskrivning *</source>
        <translation>Description *</translation>
    </message>
    <message>
        <source>När händelsen rapporteras skapas rutinen vid skjutningar som en checklista.</source>
        <translation>When the incident is reported, the post-shooting routine is created as a checklist.</translation>
    </message>
    <message>
        <source>Tidpunkten för händelsen ligger i framtiden.</source>
        <translation>The time of the incident is in the future.</translation>
    </message>
    <message>
        <source>Välj område (stadsdel).</source>
        <translation>Choose a district.</translation>
    </message>
    <message>
        <source>Ange platsen.</source>
        <translation>Enter the place.</translation>
    </message>
    <message>
        <source>Platsen får vara högst 200 tecken.</source>
        <translation>The place may be at most 200 characters.</translation>
    </message>
    <message>
        <source>Beskriv händelsen.</source>
        <translation>Describe the incident.</translation>
    </message>
</context>
<context>
    <name>IncidentPanel</name>
    <message>
        <source>Välj en händelse.</source>
        <translation>Choose an incident.</translation>
    </message>
    <message>
        <source>Starta rutinen</source>
        <translation>Start the routine</translation>
    </message>
    <message>
        <source>Avsluta händelsen</source>
        <translation>Close the incident</translation>
    </message>
    <message>
        <source>Koppla person …</source>
        <translation>Link person …</translation>
    </message>
    <message>
        <source>Rutin vid skjutningar</source>
        <translation>Post-shooting routine</translation>
    </message>
    <message>
        <source>Markera klart …</source>
        <translation>Mark done …</translation>
    </message>
    <message>
        <source>Öppna igen</source>
        <translation>Reopen</translation>
    </message>
    <message>
        <source>Ansvarig …</source>
        <translation>Responsible …</translation>
    </message>
    <message>
        <source>Steg</source>
        <translation>Step</translation>
    </message>
    <message>
        <source>Ägs av</source>
        <translation>Owned by</translation>
    </message>
    <message>
        <source>Ansvarig</source>
        <translation>Responsible</translation>
    </message>
    <message>
        <source>Klart senast</source>
        <translation>Due by</translation>
    </message>
    <message>
        <source>Klart</source>
        <translation>Done</translation>
    </message>
    <message>
        <source>Berörda personer</source>
        <translation>Persons concerned</translation>
    </message>
    <message>
        <source>Person</source>
        <translation>Person</translation>
    </message>
    <message>
        <source>Ärende</source>
        <translation>Case</translation>
    </message>
    <message>
        <source>Roll</source>
        <translation>Role</translation>
    </message>
    <message>
        <source>Registrerad av</source>
        <translation>Recorded by</translation>
    </message>
    <message>
        <source>Inga berörda personer registrerade.</source>
        <translation>No persons concerned recorded.</translation>
    </message>
    <message>
        <source>Inträffade {at} · rapporterad {rep} av {who} ({agency})</source>
        <translation>Happened {at} · reported {rep} by {who} ({agency})</translation>
    </message>
    <message numerus="yes">
        <source>{done} av %n steg klara</source>
        <translation>
            <numerusform>{done} of %n step done</numerusform>
            <numerusform>{done} of %n steps done</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>, %n försenade</source>
        <translation>
            <numerusform>, %n overdue</numerusform>
            <numerusform>, %n overdue</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n steg i rutinen är inte klara.</source>
        <translation>
            <numerusform>%n step of the routine is not done.</numerusform>
            <numerusform>%n steps of the routine are not done.</numerusform>
        </translation>
    </message>
    <message>
        <source>Försenat</source>
        <translation>Overdue</translation>
    </message>
    <message>
        <source>Rutinen startas när händelsen är bekräftad; då kan stegen bockas av.</source>
        <translation>The routine starts when the incident is confirmed; then the steps can be ticked off.</translation>
    </message>
    <message>
        <source>Händelsen är avslutad {date}.</source>
        <translation>The incident was closed {date}.</translation>
    </message>
    <message>
        <source>Öppna steget ”{title}” igen?</source>
        <translation>Reopen the step “{title}”?</translation>
    </message>
    <message>
        <source>Avbryt</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>Avsluta händelsen {number}? Rutinen kan sedan inte ändras.</source>
        <translation>Close incident {number}? The routine cannot be changed afterwards.</translation>
    </message>
    <message>
        <source>Avsluta</source>
        <translation>Quit</translation>
    </message>
</context>
<context>
    <name>LinkPersonDialog</name>
    <message>
        <source>Koppla person till händelse</source>
        <translation>Link a person to an incident</translation>
    </message>
    <message>
        <source>Koppla</source>
        <translation>Link</translation>
    </message>
    <message>
        <source>Välj händelse</source>
        <translation>Choose incident</translation>
    </message>
    <message>
        <source>Händelse *</source>
        <translation>Incident *</translation>
    </message>
    <message>
        <source>Händelse</source>
        <translation>Incident</translation>
    </message>
    <message>
        <source>Ärende *</source>
        <translation>Case *</translation>
    </message>
    <message>
        <source>Välj roll</source>
        <translation>Choose role</translation>
    </message>
    <message>
        <source>Roll i händelsen *</source>
        <translation>Role in the incident *</translation>
    </message>
    <message>
        <source>Kopplingen är uppgifter om brott och visas bara för dem som personens samtycke omfattar.</source>
        <translation>The link is criminal-offence information and is shown only to those the person&apos;s consent covers.</translation>
    </message>
    <message>
        <source>Välj händelse.</source>
        <translation>Choose an incident.</translation>
    </message>
    <message>
        <source>Välj ärende.</source>
        <translation>Choose a case.</translation>
    </message>
    <message>
        <source>Välj personens roll i händelsen.</source>
        <translation>Choose the person&apos;s role in the incident.</translation>
    </message>
</context>
<context>
    <name>ListScreen</name>
    <message>
        <source>Sök</source>
        <extracomment>Nouns of the count line and the hidden line: (sv one, sv many, en one, en many). Heading and search placeholder as QT_TRANSLATE_NOOP(text_context, …) (or set the heading&apos;s text in the subclass&apos;s constructor). Placeholder of the search field; a screen without one has no search. Show the &quot;N … delas inte&quot; line under the list. The hidden line names the categories (&quot;3 ärenden (socialt)&quot;). Fixed starting widths of the columns (else see :meth:`fit_columns`). Row height of the table in pixels at 100 % text (None: the common one). With a detail pane: starting widths and stretch of list and pane. The service that reads one record for the pane: ``service(uow, actor, id)``. A record that cannot be read is said in the pane instead of a dialog. The hidden rows are persons or their cases: the tooltip names protected identities.</extracomment>
        <translation>Search</translation>
    </message>
    <message>
        <source>Hämtar …</source>
        <translation>Loading …</translation>
    </message>
    <message>
        <source>{n} {noun} · räknar …</source>
        <translation>{n} {noun} · counting …</translation>
    </message>
    <message>
        <source>Uppgifterna finns, men personens samtycke omfattar inte din myndighet, eller så gäller skyddade personuppgifter.</source>
        <translation>The entries exist, but the person&apos;s consent does not cover your agency, or a protected identity applies.</translation>
    </message>
</context>
<context>
    <name>LockedPage</name>
    <message>
        <source>Trefas är låst</source>
        <extracomment>Pages that are opened from lists rather than from the navigation: key -&gt; (module, class). Their ``show_item(id)`` opens one record. Which navigation entry stays highlighted while a detail page is shown.</extracomment>
        <translation>Trefas is locked</translation>
    </message>
    <message>
        <source>Inga uppgifter visas medan programmet är låst.</source>
        <translation>No information is shown while the program is locked.</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Navigering</source>
        <translation>Navigation</translation>
    </message>
    <message>
        <source>&amp;Arkiv</source>
        <translation>&amp;File</translation>
    </message>
    <message>
        <source>&amp;Lås</source>
        <translation>&amp;Lock</translation>
    </message>
    <message>
        <source>Verifiera dokument …</source>
        <translation>Verify document …</translation>
    </message>
    <message>
        <source>Språk</source>
        <translation>Language</translation>
    </message>
    <message>
        <source>Inställningar …</source>
        <translation>Settings …</translation>
    </message>
    <message>
        <source>&amp;Avsluta</source>
        <translation>&amp;Quit</translation>
    </message>
    <message>
        <source>Ä&amp;rende</source>
        <translation>&amp;Case</translation>
    </message>
    <message>
        <source>Nödåtkomst …</source>
        <translation>Emergency access …</translation>
    </message>
    <message>
        <source>&amp;Hjälp</source>
        <translation>&amp;Help</translation>
    </message>
    <message>
        <source>&amp;Kortkommandon</source>
        <translation>&amp;Keyboard shortcuts</translation>
    </message>
    <message>
        <source>Om Trefas</source>
        <translation>About Trefas</translation>
    </message>
    <message>
        <source>Självtest</source>
        <translation>Self-test</translation>
    </message>
    <message>
        <source>&amp;Visa</source>
        <translation>&amp;View</translation>
    </message>
    <message>
        <source>&amp;Textstorlek</source>
        <translation>&amp;Text size</translation>
    </message>
    <message>
        <source>{n} %</source>
        <translation>{n} %</translation>
    </message>
    <message>
        <source>Större text</source>
        <translation>Larger text</translation>
    </message>
    <message>
        <source>Mindre text</source>
        <translation>Smaller text</translation>
    </message>
    <message>
        <source>Använd systemets färger</source>
        <translation>Use the system&apos;s colours</translation>
    </message>
    <message>
        <source>Arbetar …</source>
        <translation>Working …</translation>
    </message>
    <message>
        <source>LARM – visa detta för en arbetsledare:</source>
        <translation>ALARM – show this to a supervisor:</translation>
    </message>
    <message>
        <source>Larm</source>
        <translation>Alarm</translation>
    </message>
    <message>
        <source>Förbindelsen med servern är tillbaka.</source>
        <translation>The connection to the server is back.</translation>
    </message>
    <message>
        <source>Servern går inte att nå just nu. Trefas försöker ansluta igen. Det du har skrivit finns kvar i öppna fönster; ingenting sparas förrän förbindelsen är tillbaka, och du kan då spara igen.</source>
        <translation>The server cannot be reached right now. Trefas is trying to connect again. What you have typed stays in open windows; nothing is saved until the connection is back, and then you can save again.</translation>
    </message>
    <message>
        <source>Gå till {screen}</source>
        <translation>Go to {screen}</translation>
    </message>
    <message>
        <source>Låses om {m}:{s:02d}</source>
        <translation>Locks in {m}:{s:02d}</translation>
    </message>
    <message>
        <source>Trefas – låst</source>
        <translation>Trefas – locked</translation>
    </message>
    <message>
        <source>Språket byts när Trefas startas nästa gång.</source>
        <translation>The language changes the next time Trefas starts.</translation>
    </message>
    <message>
        <source>Trefas {version}

Samverkan mellan socialtjänst, polis och Kriminalvården kring personer i akut risk för gängvåld.</source>
        <translation>Trefas {version}

Joint work of social services, police and the Prison and Probation Service around people at acute risk of gang violence.</translation>
    </message>
</context>
<context>
    <name>MarkHeldDialog</name>
    <message>
        <source>Markera mötet som hållet</source>
        <translation>Mark the meeting as held</translation>
    </message>
    <message>
        <source>Markera som hållet</source>
        <translation>Mark as held</translation>
    </message>
    <message>
        <source>Bocka ur dem som inte var med. När mötet är markerat som hållet kan protokollet inte längre ändras.</source>
        <translation>Untick those who were not there. Once the meeting is marked as held, the minutes can no longer be changed.</translation>
    </message>
    <message>
        <source>Närvarande</source>
        <translation>Present</translation>
    </message>
    <message>
        <source>Mötet kan inte markeras som hållet före mötestiden ({time}).</source>
        <translation>The meeting cannot be marked as held before its time ({time}).</translation>
    </message>
</context>
<context>
    <name>MeetingDialog</name>
    <message>
        <source>Nytt möte</source>
        <translation>New meeting</translation>
    </message>
    <message>
        <source>Skapa möte</source>
        <translation>Create meeting</translation>
    </message>
    <message>
        <source>Välj enhet</source>
        <translation>Choose unit</translation>
    </message>
    <message>
        <source>t.ex. Operativ grupp Järva, vecka 12</source>
        <translation>e.g. Operational group Järva, week 12</translation>
    </message>
    <message>
        <source>Typ</source>
        <translation>Type</translation>
    </message>
    <message>
        <source>Enhet *</source>
        <translation>Unit *</translation>
    </message>
    <message>
        <source>Rubrik *</source>
        <translation>Title *</translation>
    </message>
    <message>
        <source>Tid *</source>
        <translation>Time *</translation>
    </message>
    <message>
        <source>Plats</source>
        <translation>Place</translation>
    </message>
    <message>
        <source>Deltagare</source>
        <translation>Participants</translation>
    </message>
    <message>
        <source>Hämtar användarkatalogen …</source>
        <translation>Fetching the user directory …</translation>
    </message>
    <message>
        <source>Användarkatalogen kunde inte hämtas; bara du finns med som deltagare.</source>
        <translation>The user directory could not be fetched; only you are listed as a participant.</translation>
    </message>
    <message>
        <source>Du är ordförande och alltid med.</source>
        <translation>You chair the meeting and always attend.</translation>
    </message>
    <message>
        <source>Välj enhet.</source>
        <translation>Choose a unit.</translation>
    </message>
    <message>
        <source>Ange en rubrik.</source>
        <translation>Enter a title.</translation>
    </message>
    <message>
        <source>Rubriken får vara högst 200 tecken.</source>
        <translation>The title may be at most 200 characters.</translation>
    </message>
    <message>
        <source>Platsen får vara högst 200 tecken.</source>
        <translation>The place may be at most 200 characters.</translation>
    </message>
</context>
<context>
    <name>MeetingItemDialog</name>
    <message>
        <source>Ärende på mötet</source>
        <translation>Case at the meeting</translation>
    </message>
    <message>
        <source>Lägg till</source>
        <translation>Add</translation>
    </message>
    <message>
        <source>Välj möte</source>
        <translation>Choose meeting</translation>
    </message>
    <message>
        <source>Möte *</source>
        <translation>Meeting *</translation>
    </message>
    <message>
        <source>Ärende *</source>
        <translation>Case *</translation>
    </message>
    <message>
        <source>Diskussion *</source>
        <translation>Discussion *</translation>
    </message>
    <message>
        <source>Beslut</source>
        <translation>Decision</translation>
    </message>
    <message>
        <source>Välj möte.</source>
        <translation>Choose a meeting.</translation>
    </message>
    <message>
        <source>Välj ärende.</source>
        <translation>Choose a case.</translation>
    </message>
    <message>
        <source>Skriv vad som diskuterades.</source>
        <translation>Write what was discussed.</translation>
    </message>
</context>
<context>
    <name>MeetingPanel</name>
    <message>
        <source>Välj ett möte.</source>
        <translation>Choose a meeting.</translation>
    </message>
    <message>
        <source>Lägg till ärende …</source>
        <translation>Add case …</translation>
    </message>
    <message>
        <source>Markera som hållet …</source>
        <translation>Mark as held …</translation>
    </message>
    <message>
        <source>Ny åtgärdspunkt …</source>
        <translation>New action item …</translation>
    </message>
    <message>
        <source>Ärenden på mötet</source>
        <translation>Cases at the meeting</translation>
    </message>
    <message>
        <source>Ärende</source>
        <translation>Case</translation>
    </message>
    <message>
        <source>Person</source>
        <translation>Person</translation>
    </message>
    <message>
        <source>Diskussion</source>
        <translation>Discussion</translation>
    </message>
    <message>
        <source>Beslut</source>
        <translation>Decision</translation>
    </message>
    <message>
        <source>Inga ärenden på mötet ännu.</source>
        <translation>No cases at the meeting yet.</translation>
    </message>
    <message>
        <source>Åtgärdspunkter från mötet</source>
        <translation>Action items from the meeting</translation>
    </message>
    <message>
        <source>Förfaller</source>
        <translation>Due</translation>
    </message>
    <message>
        <source>Rubrik</source>
        <translation>Title</translation>
    </message>
    <message>
        <source>Ansvarig</source>
        <translation>Responsible</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Inga åtgärdspunkter från mötet.</source>
        <translation>No action items from the meeting.</translation>
    </message>
    <message>
        <source>Hållet</source>
        <translation>Held</translation>
    </message>
    <message>
        <source>Planerat</source>
        <translation>Planned</translation>
    </message>
    <message>
        <source>ordförande {name}</source>
        <translation>chair {name}</translation>
    </message>
    <message>
        <source>Deltagare: {list}</source>
        <translation>Participants: {list}</translation>
    </message>
    <message>
        <source>Mötet har inte börjat än.</source>
        <translation>The meeting has not started yet.</translation>
    </message>
    <message>
        <source>Från mötet, ärende {number}: {decision}</source>
        <translation>From the meeting, case {number}: {decision}</translation>
    </message>
</context>
<context>
    <name>Navigation</name>
    <message>
        <source>Översikt</source>
        <translation>Overview</translation>
    </message>
    <message>
        <source>Personer</source>
        <translation>Persons</translation>
    </message>
    <message>
        <source>Ärenden</source>
        <translation>Cases</translation>
    </message>
    <message>
        <source>SIG</source>
        <translation>SIG</translation>
    </message>
    <message>
        <source>Avhoppare</source>
        <translation>Exit programme</translation>
    </message>
    <message>
        <source>Händelser</source>
        <translation>Incidents</translation>
    </message>
    <message>
        <source>Möten</source>
        <translation>Meetings</translation>
    </message>
    <message>
        <source>Uppgifter</source>
        <translation>Tasks</translation>
    </message>
    <message>
        <source>Logg</source>
        <translation>Log</translation>
    </message>
    <message>
        <source>Bekräfta konto</source>
        <translation>Confirm account</translation>
    </message>
    <message>
        <source>Administration</source>
        <translation>Administration</translation>
    </message>
    <message>
        <source>Väntar på bekräftelse</source>
        <extracomment>The one entry of an account that waits for a supervisor&apos;s confirmation.</extracomment>
        <translation>Waiting for confirmation</translation>
    </message>
</context>
<context>
    <name>NoteDialog</name>
    <message>
        <source>Rätta anteckning</source>
        <translation>Correct note</translation>
    </message>
    <message>
        <source>Ändra utkast</source>
        <translation>Edit draft</translation>
    </message>
    <message>
        <source>Ny anteckning</source>
        <translation>New note</translation>
    </message>
    <message>
        <source>Spara utkast</source>
        <translation>Save draft</translation>
    </message>
    <message>
        <source>Rättar ”{title}”, signerad {date}. Den signerade anteckningen ändras inte; rättelsen visas tillsammans med den.</source>
        <translation>Corrects “{title}”, signed {date}. The signed note does not change; the correction is shown with it.</translation>
    </message>
    <message>
        <source>Kategori</source>
        <translation>Category</translation>
    </message>
    <message>
        <source>Rubrik *</source>
        <translation>Title *</translation>
    </message>
    <message>
        <source>Text *</source>
        <translation>Text *</translation>
    </message>
    <message>
        <source>Rättelse: {title}</source>
        <translation>Correction: {title}</translation>
    </message>
    <message>
        <source>Spara och signera</source>
        <translation>Save and sign</translation>
    </message>
    <message>
        <source>Anteckningen behöver en rubrik.</source>
        <translation>The note needs a title.</translation>
    </message>
    <message>
        <source>Anteckningen är tom.</source>
        <translation>The note is empty.</translation>
    </message>
</context>
<context>
    <name>OpenCaseDialog</name>
    <message>
        <source>Nytt ärende</source>
        <translation>New case</translation>
    </message>
    <message>
        <source>Öppna ärende</source>
        <translation>Open case</translation>
    </message>
    <message>
        <source>Sök person: namn, personnummer eller alias</source>
        <translation>Find a person: name, personal identity number or alias</translation>
    </message>
    <message>
        <source>Person *</source>
        <translation>Person *</translation>
    </message>
    <message>
        <source>Person</source>
        <translation>Person</translation>
    </message>
    <message>
        <source>t.ex. Risk för våld – kartläggning</source>
        <translation>e.g. Risk of violence – mapping</translation>
    </message>
    <message>
        <source>Rubrik *</source>
        <translation>Title *</translation>
    </message>
    <message>
        <source>Välj en person.</source>
        <translation>Choose a person.</translation>
    </message>
    <message>
        <source>Ärendet behöver en rubrik.</source>
        <translation>The case needs a title.</translation>
    </message>
</context>
<context>
    <name>PagedTableModel</name>
    <message>
        <source>Klicka för att sortera</source>
        <extracomment>Name of the server-side sort this column stands for; None = not sortable. Sort newest/largest first on the first click. Every page that arrives (the first one carries ``total`` and ``hidden``). True while a page is being fetched. The load failed (the exception); the model stays as it was. The count of a list read without one arrived (the ListCount).</extracomment>
        <translation>Click to sort</translation>
    </message>
</context>
<context>
    <name>PersonCard</name>
    <message>
        <source>Visa identitet …</source>
        <translation>Reveal identity …</translation>
    </message>
    <message>
        <source>Ändra …</source>
        <translation>Edit …</translation>
    </message>
    <message>
        <source>Personnummer</source>
        <translation>Personal identity number</translation>
    </message>
    <message>
        <source>Född</source>
        <translation>Born</translation>
    </message>
    <message>
        <source>Telefon</source>
        <translation>Phone</translation>
    </message>
    <message>
        <source>Adress</source>
        <translation>Address</translation>
    </message>
    <message>
        <source>Skydd</source>
        <translation>Protection</translation>
    </message>
    <message>
        <source>Risknivå</source>
        <translation>Risk level</translation>
    </message>
    <message>
        <source>Riskfaktorer</source>
        <translation>Risk factors</translation>
    </message>
    <message>
        <source>Skyddsfaktorer</source>
        <translation>Protective factors</translation>
    </message>
    <message>
        <source>Kopiera</source>
        <translation>Copy</translation>
    </message>
    <message>
        <source>Kopiera. Urklippet töms efter 30 sekunder.</source>
        <translation>Copy. The clipboard is cleared after 30 seconds.</translation>
    </message>
    <message>
        <source>Skyddad – visas inte</source>
        <translation>Protected – not shown</translation>
    </message>
    <message>
        <source>Delas inte med din myndighet</source>
        <translation>Not shared with your agency</translation>
    </message>
    <message>
        <source> (identiteten visas för dig)</source>
        <translation> (identity shown to you)</translation>
    </message>
    <message>
        <source>Kopierat. Urklippet töms om 30 sekunder.</source>
        <translation>Copied. The clipboard is cleared in 30 seconds.</translation>
    </message>
</context>
<context>
    <name>PersonDialog</name>
    <message>
        <source>Ny person</source>
        <translation>New person</translation>
    </message>
    <message>
        <source>Ändra personuppgifter</source>
        <translation>Edit personal details</translation>
    </message>
    <message>
        <source>Spara person</source>
        <translation>Save person</translation>
    </message>
    <message>
        <source>ÅÅÅÅMMDD-NNNN</source>
        <translation>YYYYMMDD-NNNN</translation>
    </message>
    <message>
        <source>Förnamn *</source>
        <translation>First name *</translation>
    </message>
    <message>
        <source>Efternamn *</source>
        <translation>Last name *</translation>
    </message>
    <message>
        <source>Personnummer</source>
        <translation>Personal identity number</translation>
    </message>
    <message>
        <source>Telefon</source>
        <translation>Phone</translation>
    </message>
    <message>
        <source>Adress</source>
        <translation>Address</translation>
    </message>
    <message>
        <source>Postnummer</source>
        <translation>Postal code</translation>
    </message>
    <message>
        <source>Ort</source>
        <translation>City</translation>
    </message>
    <message>
        <source>Skyddade personuppgifter</source>
        <translation>Protected identity</translation>
    </message>
    <message>
        <source>Risknivå</source>
        <translation>Risk level</translation>
    </message>
    <message>
        <source>Riskfaktorer</source>
        <translation>Risk factors</translation>
    </message>
    <message>
        <source>Skyddsfaktorer</source>
        <translation>Protective factors</translation>
    </message>
    <message>
        <source>Samordningsnummer, född {date}</source>
        <translation>Coordination number, born {date}</translation>
    </message>
    <message>
        <source>Född {date}</source>
        <translation>Born {date}</translation>
    </message>
    <message>
        <source>Förnamn måste fyllas i.</source>
        <translation>First name is required.</translation>
    </message>
    <message>
        <source>Efternamn måste fyllas i.</source>
        <translation>Last name is required.</translation>
    </message>
    <message>
        <source>För- och efternamn måste fyllas i.</source>
        <translation>First and last name are required.</translation>
    </message>
</context>
<context>
    <name>PersonViewScreen</name>
    <message>
        <source>Person</source>
        <translation>Person</translation>
    </message>
    <message>
        <source>← Tillbaka</source>
        <translation>← Back</translation>
    </message>
    <message>
        <source>Nytt ärende …</source>
        <translation>New case …</translation>
    </message>
    <message>
        <source>Ärenden</source>
        <translation>Cases</translation>
    </message>
    <message>
        <source>Samtycken</source>
        <translation>Consents</translation>
    </message>
    <message>
        <source>Skyddad identitet visas för dig till kl. {time}. Visningen är loggad.</source>
        <translation>The protected identity is shown to you until {time}. The reveal is logged.</translation>
    </message>
</context>
<context>
    <name>PersonsScreen</name>
    <message>
        <source>Personer</source>
        <translation>Persons</translation>
    </message>
    <message>
        <source>Sök på namn, personnummer eller alias (P-0042) …</source>
        <translation>Search by name, personal identity number or alias (P-0042) …</translation>
    </message>
</context>
<context>
    <name>PlaceholderScreen</name>
    <message>
        <source>Den här delen av Trefas är inte klar ännu.</source>
        <extracomment>Kinds this screen shows: a kind, or (kind, id), e.g. (&quot;cases&quot;, (&quot;notes&quot;, 12)). Title for the window; set from the navigation entry if empty.</extracomment>
        <translation>This part of Trefas is not finished yet.</translation>
    </message>
</context>
<context>
    <name>PlanDialog</name>
    <message>
        <source>Ny plan</source>
        <translation>New plan</translation>
    </message>
    <message>
        <source>Skapa plan</source>
        <translation>Create plan</translation>
    </message>
    <message>
        <source>Samordnad individuell plan (SIP)</source>
        <translation>Coordinated individual plan (SIP)</translation>
    </message>
    <message>
        <source>Ingen utsedd ännu</source>
        <translation>Not appointed yet</translation>
    </message>
    <message>
        <source>Bestäm datum</source>
        <translation>Set a date</translation>
    </message>
    <message>
        <source>Huvudansvarig myndighet</source>
        <translation>Lead agency</translation>
    </message>
    <message>
        <source>Huvudansvarig person</source>
        <translation>Lead person</translation>
    </message>
    <message>
        <source>Nästa uppföljning</source>
        <translation>Next follow-up</translation>
    </message>
    <message>
        <source>Planen börjar som utkast. Mål och åtgärder läggs till efter hand; en enhetschef godkänner planen.</source>
        <translation>The plan starts as a draft. Goals and actions are added as you go; a supervisor approves the plan.</translation>
    </message>
</context>
<context>
    <name>PlanTransitions</name>
    <message>
        <source>Godkänn planen</source>
        <extracomment>Button text per plan transition.</extracomment>
        <translation>Approve the plan</translation>
    </message>
    <message>
        <source>Följ upp …</source>
        <translation>Follow up …</translation>
    </message>
    <message>
        <source>Avsluta planen …</source>
        <translation>End the plan …</translation>
    </message>
</context>
<context>
    <name>ReasonDialog</name>
    <message>
        <source>{n} av minst {m} tecken</source>
        <translation>{n} of at least {m} characters</translation>
    </message>
    <message>
        <source>Skälet behöver minst {m} tecken.</source>
        <translation>The reason needs at least {m} characters.</translation>
    </message>
    <message>
        <source>Ange ett skäl.</source>
        <translation>Give a reason.</translation>
    </message>
</context>
<context>
    <name>RecordDialog</name>
    <message>
        <source>Ny skyddsåtgärd</source>
        <translation>New protective measure</translation>
    </message>
    <message>
        <source>Nytt stöd</source>
        <translation>New support</translation>
    </message>
    <message>
        <source>Spara</source>
        <translation>Save</translation>
    </message>
    <message>
        <source>Typ</source>
        <translation>Type</translation>
    </message>
    <message>
        <source>Beskrivning *</source>
        <translation>Description *</translation>
    </message>
    <message>
        <source>Startdatum *</source>
        <translation>Start date *</translation>
    </message>
    <message>
        <source>Ange en beskrivning.</source>
        <translation>Enter a description.</translation>
    </message>
    <message>
        <source>Texten är för lång (högst 20 000 tecken).</source>
        <translation>The text is too long (at most 20,000 characters).</translation>
    </message>
</context>
<context>
    <name>RecoveryDialog</name>
    <message>
        <source>Återställ med återställningsnyckel</source>
        <translation>Recover with the recovery key</translation>
    </message>
    <message>
        <source>Använd nyckeln</source>
        <translation>Use the key</translation>
    </message>
    <message>
        <source>Nyckeln finns i återställningssatsen i kassaskåpet. Användningen skrivs i åtkomstloggen och visas för varje arbetsledare vid nästa inloggning.</source>
        <translation>The key is in the recovery kit in the safe. Its use is written to the access log and shown to every supervisor at their next log-in.</translation>
    </message>
    <message>
        <source>Bekräfta kontot (t.ex. första arbetsledaren)</source>
        <translation>Confirm the account (e.g. the first supervisor)</translation>
    </message>
    <message>
        <source>Ge kontot en ny engångskod (t.ex. administratören)</source>
        <translation>Give the account a new one-time code (e.g. the administrator)</translation>
    </message>
    <message>
        <source>Återställningsnyckel:</source>
        <translation>Recovery key:</translation>
    </message>
    <message>
        <source>Åtgärd:</source>
        <translation>Action:</translation>
    </message>
    <message>
        <source>Konto (användarnamn):</source>
        <translation>Account (user name):</translation>
    </message>
    <message>
        <source>Fingeravtryck som personen läser upp</source>
        <translation>Fingerprint the person reads out</translation>
    </message>
    <message>
        <source>Fingeravtryck som personen läser upp:</source>
        <translation>Fingerprint the person reads out:</translation>
    </message>
    <message>
        <source>{name} är bekräftad med återställningsnyckeln.</source>
        <translation>{name} is confirmed with the recovery key.</translation>
    </message>
    <message>
        <source>Ny engångskod för {name} (visas bara nu, gäller i 72 timmar):</source>
        <translation>New one-time code for {name} (shown only now, valid for 72 hours):</translation>
    </message>
</context>
<context>
    <name>RecoveryPage</name>
    <message>
        <source>Återställningsnyckel</source>
        <translation>Recovery key</translation>
    </message>
    <message>
        <source>Nyckeln öppnar hela lagringsplatsen. Med den bekräftas den första arbetsledaren i varje myndighet, och den hjälper om alla är utelåsta. Den visas bara nu.</source>
        <translation>The key opens the whole store. It confirms the first supervisor of each agency, and it helps if everyone is locked out. It is shown only now.</translation>
    </message>
    <message>
        <source>Skriv ner nyckeln på papper och förvara den inlåst, åtskild från datorn. Spara den inte i en fil, i e-post eller i en lösenordshanterare på samma dator.</source>
        <translation>Write the key down on paper and keep it locked away, apart from the computer. Do not save it in a file, an e-mail or a password manager on the same computer.</translation>
    </message>
    <message>
        <source>Spara återställningssats (PDF) att skriva ut …</source>
        <translation>Save the recovery kit (PDF) to print …</translation>
    </message>
    <message>
        <source>Jag har skrivit ner återställningsnyckeln</source>
        <translation>I have written down the recovery key</translation>
    </message>
    <message>
        <source>Spara återställningssatsen</source>
        <translation>Save the recovery kit</translation>
    </message>
    <message>
        <source>Sparad i {path}. Skriv ut den, lägg den i kassaskåpet och radera filen.</source>
        <translation>Saved in {path}. Print it, put it in the safe and delete the file.</translation>
    </message>
</context>
<context>
    <name>ReferralDialog</name>
    <message>
        <source>Aktualisera till SIG</source>
        <translation>Refer to SIG</translation>
    </message>
    <message>
        <source>Aktualisera</source>
        <translation>Refer</translation>
    </message>
    <message>
        <source>Ärende {number}</source>
        <translation>Case {number}</translation>
    </message>
    <message>
        <source>Varför behöver personen stöd från sociala insatsgrupper?</source>
        <translation>Why does the person need support from a social intervention group?</translation>
    </message>
    <message>
        <source>Aktualiseras av</source>
        <translation>Referred by</translation>
    </message>
    <message>
        <source>Skäl *</source>
        <translation>Reason *</translation>
    </message>
    <message>
        <source>Ange skälet till aktualiseringen.</source>
        <translation>Give the reason for the referral.</translation>
    </message>
    <message>
        <source>Texten är för lång (högst 20 000 tecken).</source>
        <translation>The text is too long (at most 20,000 characters).</translation>
    </message>
</context>
<context>
    <name>ReferralStateDialog</name>
    <message>
        <source>Ändra status – SIG-aktualisering</source>
        <translation>Change status – SIG referral</translation>
    </message>
    <message>
        <source>Ändra status</source>
        <translation>Change status</translation>
    </message>
    <message>
        <source>{number} · {person} · mottagen {date}
Nuvarande status: {state}</source>
        <translation>{number} · {person} · received {date}
Current status: {state}</translation>
    </message>
    <message>
        <source>Aktualiserad av {agency}, registrerad av {who}.</source>
        <translation>Referred by {agency}, recorded by {who}.</translation>
    </message>
    <message>
        <source>Beslut {date} av {who}.</source>
        <translation>Decision {date} by {who}.</translation>
    </message>
    <message>
        <source>Skäl: {text}</source>
        <translation>Reason: {text}</translation>
    </message>
    <message>
        <source>Välj ny status</source>
        <translation>Choose new status</translation>
    </message>
    <message>
        <source>Välj avslutsorsak</source>
        <translation>Choose the reason for ending</translation>
    </message>
    <message>
        <source>Ny status *</source>
        <translation>New status *</translation>
    </message>
    <message>
        <source>Avslutsorsak *</source>
        <translation>Reason for ending *</translation>
    </message>
    <message>
        <source>Kommentar</source>
        <translation>Comment</translation>
    </message>
    <message>
        <source>Du kan inte ändra status för den här aktualiseringen: den är avslutad, ärendet är stängt, eller så handläggs den av socialtjänsten.</source>
        <translation>You cannot change the status of this referral: it is closed, the case is closed, or social services handle it.</translation>
    </message>
    <message>
        <source>Beslutsmotivering</source>
        <translation>Grounds for the decision</translation>
    </message>
    <message>
        <source>Välj den nya statusen.</source>
        <translation>Choose the new status.</translation>
    </message>
    <message>
        <source>Ange varför aktualiseringen avslutas.</source>
        <translation>State why the referral is closed.</translation>
    </message>
    <message>
        <source>Kommentaren är för lång (högst 20 000 tecken).</source>
        <translation>The comment is too long (at most 20,000 characters).</translation>
    </message>
</context>
<context>
    <name>ResetPasswordDialog</name>
    <message>
        <source>Ny engångskod</source>
        <translation>New one-time code</translation>
    </message>
    <message>
        <source>Ge ny engångskod</source>
        <translation>Give a new one-time code</translation>
    </message>
    <message>
        <source>{name} ({username})</source>
        <translation>{name} ({username})</translation>
    </message>
    <message>
        <source>Den nuvarande nyckeln tas bort direkt. Personen väljer ett nytt lösenord med den nya koden, och kontot når inget ärendeinnehåll förrän en arbetsledare i samma myndighet har bekräftat det igen.</source>
        <translation>The current key is removed at once. The person chooses a new password with the new code, and the account reaches no case content until a supervisor of the same agency has confirmed it again.</translation>
    </message>
</context>
<context>
    <name>RevealIdentityDialog</name>
    <message>
        <source>Visa skyddad identitet</source>
        <translation>Reveal protected identity</translation>
    </message>
    <message>
        <source>Skäl *</source>
        <translation>Reason *</translation>
    </message>
    <message>
        <source>Visa identiteten</source>
        <translation>Reveal the identity</translation>
    </message>
    <message>
        <source>{alias} har skyddade personuppgifter. Namn, personnummer och adress visas för dig i en timme efter att du angett ett skäl. Visningen loggas och kan granskas av din chef.</source>
        <translation>{alias} has a protected identity. Name, personal identity number and address are shown to you for one hour after you give a reason. The reveal is logged and may be reviewed by your supervisor.</translation>
    </message>
</context>
<context>
    <name>Screen</name>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Pågående ärenden</source>
        <translation>Ongoing cases</translation>
    </message>
    <message>
        <source>Alla ärenden</source>
        <translation>All cases</translation>
    </message>
    <message>
        <source>Bara mina ärenden</source>
        <translation>My cases only</translation>
    </message>
    <message>
        <source>Nödåtkomst …</source>
        <translation>Emergency access …</translation>
    </message>
    <message>
        <source>Öppna ett ärende utanför ditt team i en nödsituation. Skälet loggas och granskas.</source>
        <translation>Open a case outside your team in an emergency. The reason is logged and reviewed.</translation>
    </message>
    <message>
        <source>Nytt ärende …</source>
        <translation>New case …</translation>
    </message>
    <message>
        <source>Ny person …</source>
        <translation>New person …</translation>
    </message>
    <message>
        <source>SIG</source>
        <translation>SIG</translation>
    </message>
    <message>
        <source>SIG – aktualiseringar</source>
        <translation>SIG – referrals</translation>
    </message>
    <message>
        <source>Öppna och ändra status …</source>
        <translation>Open and change status …</translation>
    </message>
    <message>
        <source>Nya aktualiseringar registreras i ärendet, under fliken SIG &amp; plan.</source>
        <translation>New referrals are recorded in the case, on the SIG &amp; plan tab.</translation>
    </message>
    <message>
        <source>Logg</source>
        <translation>Log</translation>
    </message>
    <message>
        <source>Loggkontroll</source>
        <translation>Log review</translation>
    </message>
    <message>
        <source>Kontrollera loggkedjan</source>
        <translation>Check the log chain</translation>
    </message>
    <message>
        <source>Kontrollerar att ingen post i åtkomstloggen har ändrats, tagits bort eller klippts av, mot de signerade kontrollpunkterna.</source>
        <translation>Checks against the signed checkpoints that no access-log entry has been changed, removed or cut off.</translation>
    </message>
    <message>
        <source>Person: P-0042 eller personnummer</source>
        <translation>Person: P-0042 or personal identity number</translation>
    </message>
    <message>
        <source>Ärendenummer</source>
        <translation>Case number</translation>
    </message>
    <message>
        <source>Händelsetyp</source>
        <translation>Event type</translation>
    </message>
    <message>
        <source>Från</source>
        <translation>From</translation>
    </message>
    <message>
        <source>Till</source>
        <translation>To</translation>
    </message>
    <message>
        <source>Sök</source>
        <translation>Search</translation>
    </message>
    <message>
        <source>Rensa</source>
        <translation>Clear</translation>
    </message>
    <message>
        <source>Åtkomstloggen</source>
        <translation>Access log</translation>
    </message>
    <message>
        <source>Datumen är i fel ordning: ”till” ligger före ”från”.</source>
        <translation>The dates are in the wrong order: “to” is before “from”.</translation>
    </message>
    <message>
        <source>{n} poster</source>
        <translation>{n} entries</translation>
    </message>
    <message>
        <source>1 post</source>
        <translation>1 entry</translation>
    </message>
    <message>
        <source>Bara ogranskade</source>
        <translation>Unreviewed only</translation>
    </message>
    <message>
        <source>Markera granskad</source>
        <translation>Mark reviewed</translation>
    </message>
    <message>
        <source>Visa i loggen</source>
        <translation>Show in the log</translation>
    </message>
    <message>
        <source>Öppna ärendet</source>
        <translation>Open the case</translation>
    </message>
    <message>
        <source>Nödåtkomster som användare på din myndighet har tagit. Kontrollera att skälet höll och att bara det nödvändiga öppnades (”Visa i loggen”).</source>
        <translation>Emergency accesses taken by users of your agency. Check that the reason held and that only what was necessary was opened (“Show in the log”).</translation>
    </message>
    <message>
        <source>Beviljad</source>
        <translation>Granted</translation>
    </message>
    <message>
        <source>Ärende</source>
        <translation>Case</translation>
    </message>
    <message>
        <source>Skäl</source>
        <translation>Reason</translation>
    </message>
    <message>
        <source>Gäller till</source>
        <translation>Valid until</translation>
    </message>
    <message>
        <source>Granskad</source>
        <translation>Reviewed</translation>
    </message>
    <message>
        <source>Nödåtkomst</source>
        <translation>Emergency access</translation>
    </message>
    <message>
        <source>Ej granskad</source>
        <translation>Not reviewed</translation>
    </message>
    <message>
        <source>{n} nödåtkomster</source>
        <translation>{n} emergency accesses</translation>
    </message>
    <message>
        <source>1 nödåtkomst</source>
        <translation>1 emergency access</translation>
    </message>
    <message>
        <source>Nödåtkomst ({n})</source>
        <translation>Emergency access ({n})</translation>
    </message>
    <message>
        <source>Markera nödåtkomsten till {case} av {user} som granskad? Granskningen loggas i ditt namn.</source>
        <translation>Mark the emergency access to {case} by {user} as reviewed? The review is logged in your name.</translation>
    </message>
    <message>
        <source>Visningar av skyddade personuppgifter de senaste 30 dagarna, med skälet som angavs.</source>
        <translation>Reveals of protected identities in the last 30 days, with the reason given.</translation>
    </message>
    <message>
        <source>Person</source>
        <translation>Person</translation>
    </message>
    <message>
        <source>Timmar</source>
        <translation>Hours</translation>
    </message>
    <message>
        <source>Visade identiteter</source>
        <translation>Revealed identities</translation>
    </message>
    <message>
        <source>{n} visningar</source>
        <translation>{n} reveals</translation>
    </message>
    <message>
        <source>1 visning</source>
        <translation>1 reveal</translation>
    </message>
    <message>
        <source>Period</source>
        <translation>Period</translation>
    </message>
    <message>
        <source>Senaste 7 dagarna</source>
        <translation>Last 7 days</translation>
    </message>
    <message>
        <source>Senaste 30 dagarna</source>
        <translation>Last 30 days</translation>
    </message>
    <message>
        <source> läsningar per dag</source>
        <translation> reads per day</translation>
    </message>
    <message>
        <source>Räkna</source>
        <translation>Count</translation>
    </message>
    <message>
        <source>Ovanligt från</source>
        <translation>Unusual from</translation>
    </message>
    <message>
        <source>Antal läsningar (ärenden, personer, anteckningar, listor och sökningar) per användare och dag. Staplar över gränsen är röda; klicka för att se posterna.</source>
        <translation>Number of reads (cases, persons, notes, lists and searches) per user and day. Bars over the limit are red; click to see the entries.</translation>
    </message>
    <message>
        <source>Flest läsningar per användare och dag</source>
        <translation>Most reads per user and day</translation>
    </message>
    <message>
        <source>Inga läsningar under perioden.</source>
        <translation>No reads in the period.</translation>
    </message>
    <message>
        <source>Ovanliga volymer</source>
        <translation>Unusual volumes</translation>
    </message>
    <message>
        <source>Räknar …</source>
        <translation>Counting …</translation>
    </message>
    <message>
        <source>gräns {n}</source>
        <translation>limit {n}</translation>
    </message>
    <message>
        <source>{user} ({username}, {agency}) läste {n} gånger {day}</source>
        <translation>{user} ({username}, {agency}) read {n} times on {day}</translation>
    </message>
    <message>
        <source>; {m} läsningar {since} – {until}.</source>
        <translation>; {m} reads {since} – {until}.</translation>
    </message>
    <message>
        <source>1 användardag över gränsen</source>
        <translation>1 user-day over the limit</translation>
    </message>
    <message>
        <source>{n} användardagar över gränsen</source>
        <translation>{n} user-days over the limit</translation>
    </message>
    <message>
        <source>Loggen är hel: {n} poster kontrollerade, {c} signerade kontrollpunkter stämmer.</source>
        <translation>The log is intact: {n} entries checked, {c} signed checkpoints match.</translation>
    </message>
    <message>
        <source>Avhoppare</source>
        <translation>Exit programme</translation>
    </message>
    <message>
        <source>Väntar på första kontakt – mål inom 24 timmar</source>
        <translation>Awaiting first contact – target within 24 hours</translation>
    </message>
    <message>
        <source>Alla avhopparärenden</source>
        <translation>All exit programme cases</translation>
    </message>
    <message>
        <source>Pågående</source>
        <translation>Ongoing</translation>
    </message>
    <message>
        <source>Alla</source>
        <translation>All</translation>
    </message>
    <message>
        <source>Begärd {at}, mål senast {due}</source>
        <translation>Requested {at}, target by {due}</translation>
    </message>
    <message>
        <source>Uppgifter</source>
        <translation>Tasks</translation>
    </message>
    <message>
        <source>Markera klar</source>
        <translation>Mark done</translation>
    </message>
    <message>
        <source>Avbryt uppgift …</source>
        <translation>Cancel task …</translation>
    </message>
    <message>
        <source>Bara mina</source>
        <translation>Mine only</translation>
    </message>
    <message>
        <source>Bara försenade</source>
        <translation>Overdue only</translation>
    </message>
    <message>
        <source>Öppna</source>
        <translation>Open</translation>
    </message>
    <message>
        <source>Klara</source>
        <translation>Done</translation>
    </message>
    <message>
        <source>Avbrutna</source>
        <translation>Cancelled</translation>
    </message>
    <message>
        <source>Markera ”{title}” som klar?</source>
        <translation>Mark “{title}” as done?</translation>
    </message>
    <message>
        <source>Administration</source>
        <extracomment>Offered in the settings; any zone name tzdata knows may be typed instead.</extracomment>
        <translation>Administration</translation>
    </message>
    <message>
        <source>Här hanteras användare, nycklar, säkerhetskopior och inställningar. Administratören ser inga ärenden eller personuppgifter.</source>
        <translation>Users, keys, backups and settings are managed here. The administrator sees no cases or personal data.</translation>
    </message>
    <message>
        <source>Ny användare …</source>
        <translation>New user …</translation>
    </message>
    <message>
        <source>Stäng av …</source>
        <translation>Disable …</translation>
    </message>
    <message>
        <source>Bekräfta konto</source>
        <translation>Confirm account</translation>
    </message>
    <message>
        <source>Konton i din myndighet som administratören har skapat (eller gett ny engångskod) och där personen har valt sitt lösenord. Bekräfta bara den du vet ska arbeta här: kontot får då nyckeln till ärendeinnehållet. Bekräftelsen loggas.</source>
        <translation>Accounts of your agency that the administrator has created (or given a new one-time code) and whose owner has chosen a password. Confirm only someone you know is to work here: the account then gets the key to case content. The confirmation is logged.</translation>
    </message>
    <message>
        <source>Bekräfta …</source>
        <translation>Confirm …</translation>
    </message>
    <message>
        <source>Användarnamn</source>
        <translation>User name</translation>
    </message>
    <message>
        <source>Namn</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Roll</source>
        <translation>Role</translation>
    </message>
    <message>
        <source>Återställningsnyckeln har använts</source>
        <translation>The recovery key has been used</translation>
    </message>
    <message>
        <source>Nyckelarbete</source>
        <translation>Key work</translation>
    </message>
    <message>
        <source>Det som kräver datanyckeln görs av en arbetsledare. Datanyckeln byts också av sig själv vid en arbetsledares inloggning när ett konto har tagits bort.</source>
        <translation>What needs the data key is done by a supervisor. The data key also changes by itself at a supervisor&apos;s log-in after an account was removed.</translation>
    </message>
    <message>
        <source>Återställ en säkerhetskopia</source>
        <translation>Restore a backup</translation>
    </message>
    <message>
        <source>En återställning ersätter hela databasen; den nuvarande sparas undan först. En kopia från före ett nyckelbyte öppnas med sin egen nyckelfil och ditt lösenord från den tiden.</source>
        <translation>A restore replaces the whole database; the current one is saved aside first. A copy from before a re-key opens with its own key file and your password of that time.</translation>
    </message>
    <message>
        <source>Ingen användning loggad.</source>
        <translation>No use logged.</translation>
    </message>
    <message>
        <source>{name} är bekräftad.</source>
        <translation>{name} is confirmed.</translation>
    </message>
    <message>
        <source>Arbetar …</source>
        <translation>Working …</translation>
    </message>
    <message>
        <source>Byta datanyckel nu? Alla andra som är inloggade måste logga in igen.</source>
        <translation>Change the data key now? Everyone else who is logged in must log in again.</translation>
    </message>
    <message>
        <source>Datanyckeln är bytt.</source>
        <translation>The data key has been changed.</translation>
    </message>
    <message>
        <source>Loggen är hel: {n} poster.</source>
        <translation>The log is intact: {n} entries.</translation>
    </message>
    <message>
        <source>Myndighet</source>
        <translation>Agency</translation>
    </message>
    <message>
        <source>Enhet</source>
        <translation>Unit</translation>
    </message>
    <message>
        <source>Konto</source>
        <translation>Account</translation>
    </message>
    <message>
        <source>Användare</source>
        <translation>User</translation>
    </message>
    <message>
        <source>Aktivt</source>
        <translation>Active</translation>
    </message>
    <message>
        <source>Avstängt</source>
        <translation>Disabled</translation>
    </message>
    <message>
        <source>{username} är avstängd. Datanyckeln byts vid nästa inloggning av en arbetsledare.</source>
        <translation>{username} is disabled. The data key changes at a supervisor&apos;s next log-in.</translation>
    </message>
    <message>
        <source>Ja</source>
        <translation>Yes</translation>
    </message>
    <message>
        <source>Saknas</source>
        <translation>Missing</translation>
    </message>
    <message numerus="yes">
        <source>%n användare</source>
        <translation>
            <numerusform>%n user</numerusform>
            <numerusform>%n users</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n aktiva</source>
        <translation>
            <numerusform>%n active</numerusform>
            <numerusform>%n active</numerusform>
        </translation>
    </message>
    <message>
        <source>Ny engångskod …</source>
        <translation>New one-time code …</translation>
    </message>
    <message>
        <source>Bekräftat av</source>
        <translation>Confirmed by</translation>
    </message>
    <message>
        <source>Väntar på lösenord</source>
        <translation>Waiting for a password</translation>
    </message>
    <message>
        <source>Väntar på bekräftelse</source>
        <translation>Waiting for confirmation</translation>
    </message>
    <message>
        <source>Stänga av {name} ({username})? Användarens nyckelplats tas bort direkt och kontot kan inte längre låsa upp Trefas.</source>
        <translation>Disable {name} ({username})? The user&apos;s key slot is removed at once and the account can no longer unlock Trefas.</translation>
    </message>
    <message>
        <source>Avbryt</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>Stäng av</source>
        <translation>Disable</translation>
    </message>
    <message>
        <source>Ny enhet …</source>
        <translation>New unit …</translation>
    </message>
    <message>
        <source>Kod</source>
        <translation>Code</translation>
    </message>
    <message>
        <source>Enheter</source>
        <translation>Units</translation>
    </message>
    <message>
        <source>Ta säkerhetskopia nu</source>
        <translation>Back up now</translation>
    </message>
    <message>
        <source>Återställ vald …</source>
        <translation>Restore selected …</translation>
    </message>
    <message>
        <source>Säkerhetskopiorna är krypterade med samma nyckel som databasen och kontrolleras innan de sparas. De senaste behålls. En återställning ersätter hela databasen; den nuvarande sparas undan först.</source>
        <translation>Backups are encrypted with the same key as the database and checked before they are kept. The latest are kept. A restore replaces the whole database; the current one is set aside first.</translation>
    </message>
    <message>
        <source>Tid</source>
        <translation>Time</translation>
    </message>
    <message>
        <source>Fil</source>
        <translation>File</translation>
    </message>
    <message>
        <source>Storlek</source>
        <translation>Size</translation>
    </message>
    <message>
        <source>Nyckelfil</source>
        <translation>Key file</translation>
    </message>
    <message>
        <source>Säkerhetskopior</source>
        <translation>Backups</translation>
    </message>
    <message>
        <source>Tar säkerhetskopia …</source>
        <translation>Backing up …</translation>
    </message>
    <message>
        <source>Säkerhetskopian {name} är sparad och kontrollerad ({size}).</source>
        <translation>The backup {name} is saved and checked ({size}).</translation>
    </message>
    <message>
        <source>Säkerhetskopian {name} är sparad ({size}): en oförändrad, krypterad kopia med hela sidor. Sidornas äkthet kontrollerar en arbetsledare.</source>
        <translation>The backup {name} is saved ({size}): an unchanged, encrypted copy of whole pages. A supervisor checks the pages&apos; authenticity.</translation>
    </message>
    <message>
        <source>Återställa säkerhetskopian från {time}? Allt som har sparats efter den försvinner ur databasen (den nuvarande databasen sparas undan som en fil bredvid). Alla andra måste logga in igen.</source>
        <translation>Restore the backup from {time}? Everything saved after it disappears from the database (the current database is set aside as a file next to it). Everyone else must log in again.</translation>
    </message>
    <message>
        <source>Fortsätt</source>
        <translation>Continue</translation>
    </message>
    <message>
        <source>Är du säker? Återställningen kan inte ångras i programmet.</source>
        <translation>Are you sure? The restore cannot be undone in the program.</translation>
    </message>
    <message>
        <source>Återställ</source>
        <translation>Restore</translation>
    </message>
    <message>
        <source>Återställer …</source>
        <translation>Restoring …</translation>
    </message>
    <message>
        <source>Säkerhetskopian är återställd.</source>
        <translation>The backup has been restored.</translation>
    </message>
    <message>
        <source>Kopian är gjord med en tidigare nyckel</source>
        <translation>The backup was made under an earlier key</translation>
    </message>
    <message>
        <source>Säkerhetskopian är gjord före ett nyckelbyte och öppnas med sin egen nyckelfil ({name}). Skriv ditt lösenord (det du hade när kopian gjordes):</source>
        <translation>The backup was made before a re-key and opens with its own key file ({name}). Type your password (the one you had when the backup was made):</translation>
    </message>
    <message>
        <source>Återställningen avbröts; ingenting har ändrats.</source>
        <translation>The restore was cancelled; nothing was changed.</translation>
    </message>
    <message>
        <source>Återställer med kopians nyckelfil …</source>
        <translation>Restoring with the backup&apos;s key file …</translation>
    </message>
    <message>
        <source>Byt datanyckel …</source>
        <translation>Change data key …</translation>
    </message>
    <message>
        <source>Kontrollera loggen</source>
        <translation>Check the log</translation>
    </message>
    <message>
        <source>Kontrollera lagringsplatsen</source>
        <translation>Check the store</translation>
    </message>
    <message>
        <source>Kontrollerar nyckelfilen, databasfilen och kontrollpunkterna utan att öppna något.</source>
        <translation>Checks the key file, the database file and the checkpoints without opening anything.</translation>
    </message>
    <message>
        <source>Kontrollera</source>
        <translation>Check</translation>
    </message>
    <message>
        <source>Gallra nu …</source>
        <translation>Delete now …</translation>
    </message>
    <message>
        <source>Nycklar och kontroller</source>
        <translation>Keys and checks</translation>
    </message>
    <message>
        <source>Byt nyckel</source>
        <translation>Change key</translation>
    </message>
    <message>
        <source>Kontrollerar …</source>
        <translation>Checking …</translation>
    </message>
    <message>
        <source> Första felaktiga post: nr {seq}.</source>
        <translation> First faulty entry: no. {seq}.</translation>
    </message>
    <message>
        <source>Loggen är inte hel. </source>
        <translation>The log is not intact. </translation>
    </message>
    <message>
        <source>Inga fel hittades.</source>
        <translation>No faults found.</translation>
    </message>
    <message>
        <source>Letar efter ärenden att gallra …</source>
        <translation>Looking for cases to delete …</translation>
    </message>
    <message>
        <source>Inga avslutade ärenden har passerat bevarandetiden; ingenting att gallra.</source>
        <translation>No closed case is past its retention time; nothing to delete.</translation>
    </message>
    <message>
        <source> och {n} till</source>
        <translation> and {n} more</translation>
    </message>
    <message>
        <source>Gallra {n} ärenden ({cases})? De tas bort för gott, med anteckningar, planer och samtycken. Ta gärna en säkerhetskopia först.</source>
        <translation>Delete {n} cases ({cases})? They are removed for good, with notes, plans and consents. Consider making a backup first.</translation>
    </message>
    <message>
        <source>Gallra</source>
        <translation>Delete</translation>
    </message>
    <message>
        <source>Ingenting har gallrats.</source>
        <translation>Nothing was deleted.</translation>
    </message>
    <message numerus="yes">
        <source>%n ärenden gallrades.</source>
        <translation>
            <numerusform>%n case was deleted.</numerusform>
            <numerusform>%n cases were deleted.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n minuter</source>
        <translation>
            <numerusform>%n minute</numerusform>
            <numerusform>%n minutes</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Sparat: låses efter %n minuter.</source>
        <translation>
            <numerusform>Saved: locks after %n minute.</numerusform>
            <numerusform>Saved: locks after %n minutes.</numerusform>
        </translation>
    </message>
    <message>
        <source>Administratörens inloggning har ingen nyckel till ärendeinnehållet. Byte av datanyckel, kontroll av loggen, gallring och återställning görs av en arbetsledare (som har nyckeln) under ”Bekräfta konto”.</source>
        <translation>The administrator&apos;s log-in holds no key to case content. Re-key, the log check, retention and restore are done by a supervisor (who holds the key) under “Confirm account”.</translation>
    </message>
    <message>
        <source>Spara</source>
        <translation>Save</translation>
    </message>
    <message>
        <source>Lås efter inaktivitet</source>
        <translation>Lock after inactivity</translation>
    </message>
    <message>
        <source>Trefas låses när ingen har rört tangentbord eller mus under så lång tid. Gäller för alla användare från nästa inloggning.</source>
        <translation>Trefas locks when nobody has touched keyboard or mouse for this long. Applies to every user from the next log-in.</translation>
    </message>
    <message>
        <source>Inställningar</source>
        <translation>Settings</translation>
    </message>
    <message>
        <source>Spara tidszon</source>
        <translation>Save time zone</translation>
    </message>
    <message>
        <source>Tidszon</source>
        <translation>Time zone</translation>
    </message>
    <message>
        <source>Datum och tider visas och räknas i den här tidszonen för alla som öppnar lagringsplatsen: samtycken, förfallodagar, gallring, loggar och dokument.</source>
        <translation>Dates and times are shown and counted in this time zone for everyone who opens the store: consents, due dates, retention, logs and documents.</translation>
    </message>
    <message>
        <source>Sparat: tidszonen är {zone}.</source>
        <translation>Saved: the time zone is {zone}.</translation>
    </message>
    <message>
        <source>Översikt</source>
        <extracomment>(screen key, state for its restore()) — also for tests.</extracomment>
        <translation>Overview</translation>
    </message>
    <message>
        <source>Uppdatera</source>
        <translation>Refresh</translation>
    </message>
    <message>
        <source>Det du ser här är det som du får se i {agency}, {unit}.</source>
        <translation>What you see here is what you may see in {agency}, {unit}.</translation>
    </message>
    <message>
        <source>pågående ärenden</source>
        <translation>ongoing cases</translation>
    </message>
    <message>
        <source>försenade uppgifter</source>
        <translation>overdue tasks</translation>
    </message>
    <message>
        <source>samtycken löper ut inom 30 dagar</source>
        <translation>consents expire within 30 days</translation>
    </message>
    <message>
        <source>avhoppare väntar på första kontakt</source>
        <translation>defectors await first contact</translation>
    </message>
    <message>
        <source>händelser senaste 90 dagarna</source>
        <translation>incidents in the last 90 days</translation>
    </message>
    <message>
        <source>öppna steg i rutinen</source>
        <translation>open routine steps</translation>
    </message>
    <message>
        <source>Ärenden per status</source>
        <translation>Cases by status</translation>
    </message>
    <message>
        <source>Visa ärenden</source>
        <translation>Show cases</translation>
    </message>
    <message>
        <source>Inga ärenden som du får se.</source>
        <translation>No cases you may see.</translation>
    </message>
    <message>
        <source>Avhoppare – första kontakt inom 24 timmar</source>
        <translation>Exit programme – first contact within 24 hours</translation>
    </message>
    <message>
        <source>Visa avhoppare</source>
        <translation>Show exit programme</translation>
    </message>
    <message>
        <source>Ingen förfrågan väntar på första kontakt.</source>
        <translation>No request awaits first contact.</translation>
    </message>
    <message>
        <source>Händelser senaste 90 dagarna per stadsdel</source>
        <translation>Incidents in the last 90 days by district</translation>
    </message>
    <message>
        <source>Visa händelser</source>
        <translation>Show incidents</translation>
    </message>
    <message>
        <source>Inga händelser de senaste 90 dagarna.</source>
        <translation>No incidents in the last 90 days.</translation>
    </message>
    <message>
        <source>Öppna steg i rutinen vid skjutningar</source>
        <translation>Open steps of the post-shooting routine</translation>
    </message>
    <message>
        <source>Visa pågående händelser</source>
        <translation>Show ongoing incidents</translation>
    </message>
    <message>
        <source>öppna steg</source>
        <translation>open steps</translation>
    </message>
    <message>
        <source>Inga öppna steg.</source>
        <translation>No open steps.</translation>
    </message>
    <message>
        <source>Försenade uppgifter</source>
        <translation>Overdue tasks</translation>
    </message>
    <message>
        <source>Visa alla försenade</source>
        <translation>Show all overdue</translation>
    </message>
    <message>
        <source>Samtycken som löper ut inom 30 dagar</source>
        <translation>Consents expiring within 30 days</translation>
    </message>
    <message>
        <source>Inga samtycken löper ut inom 30 dagar.</source>
        <translation>No consents expire within 30 days.</translation>
    </message>
    <message>
        <source>Återställningsnyckeln har använts sedan din förra inloggning: {uses}.</source>
        <translation>The recovery key has been used since your previous log-in: {uses}.</translation>
    </message>
    <message>
        <source>{n} konto(n) väntar på din bekräftelse: {names}. Se ”Bekräfta konto”.</source>
        <translation>{n} account(s) wait for your confirmation: {names}. See &quot;Confirm account&quot;.</translation>
    </message>
    <message>
        <source>Uppdaterad {time}</source>
        <translation>Updated {time}</translation>
    </message>
    <message>
        <source>{n} väntar på beslut om avslut</source>
        <translation>{n} await a closure decision</translation>
    </message>
    <message>
        <source>{n} över 24 timmar</source>
        <translation>{n} over 24 hours</translation>
    </message>
    <message numerus="yes">
        <source>%n försenade</source>
        <translation>
            <numerusform>%n overdue</numerusform>
            <numerusform>%n overdue</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>{state}: %n ärenden – klicka för att visa dem</source>
        <translation>
            <numerusform>{state}: %n case – click to show it</numerusform>
            <numerusform>{state}: %n cases – click to show them</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>{unit}: %n händelser – klicka för att visa dem</source>
        <translation>
            <numerusform>{unit}: %n incident – click to show it</numerusform>
            <numerusform>{unit}: %n incidents – click to show them</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>{title} · {case} · {who} – %n dagar sen</source>
        <translation>
            <numerusform>{title} · {case} · {who} – %n day ago</numerusform>
            <numerusform>{title} · {case} · {who} – %n days ago</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>{date} (om %n dagar) – {person} – {purpose}</source>
        <translation>
            <numerusform>{date} (in %n day) – {person} – {purpose}</numerusform>
            <numerusform>{date} (in %n days) – {person} – {purpose}</numerusform>
        </translation>
    </message>
    <message>
        <source>Begärd {at}; första kontakt senast {due}</source>
        <translation>Requested {at}; first contact by {due}</translation>
    </message>
    <message>
        <source>… och {n} till.</source>
        <translation>… and {n} more.</translation>
    </message>
    <message>
        <source>Försenade</source>
        <translation>Overdue</translation>
    </message>
    <message>
        <source>Inom tid</source>
        <translation>On time</translation>
    </message>
    <message>
        <source>ingen</source>
        <translation>nobody</translation>
    </message>
    <message>
        <source>Inga försenade uppgifter.</source>
        <translation>No overdue tasks.</translation>
    </message>
    <message>
        <source>… och {n} till</source>
        <translation>… and {n} more</translation>
    </message>
    <message>
        <source>om {span} dagar</source>
        <translation>in {span} days</translation>
    </message>
    <message>
        <source>Öppna personen för att förnya samtycket</source>
        <translation>Open the person to renew the consent</translation>
    </message>
    <message numerus="yes">
        <source>, %n försenade</source>
        <translation>
            <numerusform>, %n overdue</numerusform>
            <numerusform>, %n overdue</numerusform>
        </translation>
    </message>
    <message>
        <source>Händelser</source>
        <translation>Incidents</translation>
    </message>
    <message>
        <source>Rapportera händelse …</source>
        <translation>Report incident …</translation>
    </message>
    <message>
        <source>Senaste 90 dagarna</source>
        <translation>Last 90 days</translation>
    </message>
    <message>
        <source>Senaste året</source>
        <translation>Last year</translation>
    </message>
    <message>
        <source>All tid</source>
        <translation>All time</translation>
    </message>
    <message>
        <source>Område</source>
        <translation>Area</translation>
    </message>
    <message>
        <source>Alla områden</source>
        <translation>All districts</translation>
    </message>
    <message>
        <source>Möten</source>
        <translation>Meetings</translation>
    </message>
    <message>
        <source>Senaste 90 dagarna och kommande</source>
        <translation>Last 90 days and upcoming</translation>
    </message>
    <message>
        <source>Kommande</source>
        <translation>Upcoming</translation>
    </message>
    <message>
        <source>Nytt möte …</source>
        <translation>New meeting …</translation>
    </message>
    <message>
        <source>Ditt lösenord är valt. Innan kontot når något ärendeinnehåll måste en arbetsledare i din myndighet bekräfta det. Be hen göra det under ”Bekräfta konto” och logga sedan in igen.</source>
        <translation>Your password is set. Before the account reaches any case content, a supervisor of your agency must confirm it. Ask them to do so under &quot;Confirm account&quot; and then log in again.</translation>
    </message>
    <message>
        <source>Läs upp fingeravtrycket nedan för den som bekräftar kontot, i person eller per telefon. Hen skriver in det, och kontot bekräftas bara om det stämmer med din nyckel.</source>
        <translation>Read out the fingerprint below to whoever confirms the account, in person or by phone. They type it in, and the account is confirmed only if it matches your key.</translation>
    </message>
    <message>
        <source>Din nyckels fingeravtryck</source>
        <translation>Your key&apos;s fingerprint</translation>
    </message>
    <message>
        <source>en arbetsledare i din myndighet</source>
        <translation>a supervisor of your agency</translation>
    </message>
    <message>
        <source>Ditt konto väntar på bekräftelse från {who}.</source>
        <translation>Your account is waiting for confirmation from {who}.</translation>
    </message>
    <message>
        <source>Din nyckels fingeravtryck: {fingerprint}</source>
        <translation>Your key&apos;s fingerprint: {fingerprint}</translation>
    </message>
</context>
<context>
    <name>SelfTestDialog</name>
    <message>
        <source>Självtest</source>
        <translation>Self-test</translation>
    </message>
    <message>
        <source>Resultat (kopiera texten till supporten vid behov):</source>
        <translation>Results (copy the text for support if asked):</translation>
    </message>
    <message>
        <source>Kör självtestet …</source>
        <translation>Running the self-test …</translation>
    </message>
    <message>
        <source>Stäng</source>
        <translation>Close</translation>
    </message>
    <message>
        <source>Självtestet kunde inte köras ({kind}).</source>
        <translation>The self-test could not be run ({kind}).</translation>
    </message>
</context>
<context>
    <name>ServerFields</name>
    <message>
        <source>t.ex. trefas.kommun.se</source>
        <translation>e.g. trefas.kommun.se</translation>
    </message>
    <message>
        <source>krävs för en server på en annan dator</source>
        <translation>required for a server on another machine</translation>
    </message>
    <message>
        <source>Välj …</source>
        <translation>Choose …</translation>
    </message>
    <message>
        <source>Server:</source>
        <translation>Server:</translation>
    </message>
    <message>
        <source>Port:</source>
        <translation>Port:</translation>
    </message>
    <message>
        <source>Databas:</source>
        <translation>Database:</translation>
    </message>
    <message>
        <source>CA-certifikat:</source>
        <translation>CA certificate:</translation>
    </message>
    <message>
        <source>Välj kontorets CA-certifikat</source>
        <translation>Choose the office&apos;s CA certificate</translation>
    </message>
    <message>
        <source>Certifikat (*.pem *.crt *.cer);;Alla filer (*)</source>
        <translation>Certificates (*.pem *.crt *.cer);;All files (*)</translation>
    </message>
</context>
<context>
    <name>ServerPage</name>
    <message>
        <source>Anslut till server</source>
        <translation>Connect to a server</translation>
    </message>
    <message>
        <source>Adressen får du av IT-avdelningen. En server på en annan dator nås bara krypterat, med serverns certifikat kontrollerat mot kontorets CA-certifikat.</source>
        <translation>The IT department gives you the address. A server on another machine is reached only over TLS, with the server&apos;s certificate checked against the office&apos;s CA certificate.</translation>
    </message>
    <message>
        <source>Anslut</source>
        <translation>Connect</translation>
    </message>
    <message>
        <source>Adressen sparas i inställningarna för den här datorn (Arkiv → Inställningar).</source>
        <translation>The address is kept in this computer&apos;s settings (File → Settings).</translation>
    </message>
    <message>
        <source>Inställningsfilen kunde inte skrivas.</source>
        <translation>The settings file could not be written.</translation>
    </message>
</context>
<context>
    <name>ServiceDialog</name>
    <message>
        <source>Spara</source>
        <translation>Save</translation>
    </message>
    <message>
        <source>Avbryt</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>Öppna igen</source>
        <translation>Open again</translation>
    </message>
    <message>
        <source>Innan du kan spara:</source>
        <translation>Before you can save:</translation>
    </message>
    <message>
        <source>Servern går inte att nå. Ingenting har sparats, och det du har skrivit finns kvar här. Spara igen när förbindelsen är tillbaka.</source>
        <translation>The server cannot be reached. Nothing has been saved, and what you have typed is still here. Save again when the connection is back.</translation>
    </message>
    <message>
        <source>Det du har skrivit ersätts av det som är sparat nu. Öppna igen ändå?</source>
        <translation>What you have typed is replaced by what is saved now. Open again anyway?</translation>
    </message>
    <message>
        <source>Du har ändringar som inte är sparade. Vill du stänga ändå? Det du har skrivit försvinner.</source>
        <translation>You have unsaved changes. Close anyway? What you have written will be lost.</translation>
    </message>
    <message>
        <source>Stäng utan att spara</source>
        <translation>Close without saving</translation>
    </message>
    <message>
        <source>Fortsätt skriva</source>
        <translation>Keep writing</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Inställningar för den här datorn</source>
        <translation>Settings for this computer</translation>
    </message>
    <message>
        <source>Välj …</source>
        <translation>Choose …</translation>
    </message>
    <message>
        <source>Lagringsplats (mapp)</source>
        <translation>Store (folder)</translation>
    </message>
    <message>
        <source>Tomt: lagringsplatsen i mappen ovan. Ifyllt: Trefas loggar in på servern.</source>
        <translation>Empty: the store in the folder above. Filled in: Trefas logs in to the server.</translation>
    </message>
    <message>
        <source>Server (serverläge)</source>
        <translation>Server (server mode)</translation>
    </message>
    <message>
        <source>lagringsplatsens inställning</source>
        <translation>the store&apos;s setting</translation>
    </message>
    <message>
        <source> minuter</source>
        <translation> minutes</translation>
    </message>
    <message>
        <source>Lås efter inaktivitet</source>
        <translation>Lock after inactivity</translation>
    </message>
    <message>
        <source>Språk</source>
        <translation>Language</translation>
    </message>
    <message>
        <source>Kontorets tidszon</source>
        <translation>Office time zone</translation>
    </message>
    <message>
        <source>Låst av IT-avdelningen.</source>
        <translation>Locked by the IT department.</translation>
    </message>
    <message>
        <source>Gäller från nästa start. Kortare låstid än lagringsplatsens gäller; längre gör det inte. Fält som IT-avdelningen har låst går inte att ändra.</source>
        <translation>Takes effect at the next start. A lock time shorter than the store&apos;s applies; a longer one does not. Fields the IT department has locked cannot be changed.</translation>
    </message>
    <message>
        <source>Spara</source>
        <translation>Save</translation>
    </message>
    <message>
        <source>Avbryt</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>Välj lagringsplatsens mapp</source>
        <translation>Choose the store&apos;s folder</translation>
    </message>
    <message>
        <source>Inställningsfilen kunde inte skrivas.</source>
        <translation>The settings file could not be written.</translation>
    </message>
</context>
<context>
    <name>Shortcuts</name>
    <message>
        <source>Nästa / föregående fält, knapp eller lista</source>
        <translation>Next / previous field, button or list</translation>
    </message>
    <message>
        <source>Piltangenterna</source>
        <translation>Arrow keys</translation>
    </message>
    <message>
        <source>Flytta i en lista, tabell, ett diagram eller en meny</source>
        <translation>Move in a list, table, chart or menu</translation>
    </message>
    <message>
        <source>Öppna raden eller stapeln du står på</source>
        <translation>Open the row or bar you are on</translation>
    </message>
    <message>
        <source>Blanksteg</source>
        <translation>Space</translation>
    </message>
    <message>
        <source>Tryck på knappen, kryssa i rutan</source>
        <translation>Press the button, tick the box</translation>
    </message>
    <message>
        <source>Nästa / föregående flik</source>
        <translation>Next / previous tab</translation>
    </message>
    <message>
        <source>Stäng dialogen (du får frågan om något inte är sparat)</source>
        <translation>Close the dialog (you are asked if something is not saved)</translation>
    </message>
    <message>
        <source>Menyraden; Alt och den understrukna bokstaven öppnar en meny</source>
        <translation>The menu bar; Alt and the underlined letter open a menu</translation>
    </message>
</context>
<context>
    <name>ShortcutsDialog</name>
    <message>
        <source>Kortkommandon</source>
        <translation>Keyboard shortcuts</translation>
    </message>
    <message>
        <source>Allt i Trefas går att göra med tangentbordet.</source>
        <translation>Everything in Trefas can be done with the keyboard.</translation>
    </message>
    <message>
        <source>Tangenter</source>
        <translation>Keys</translation>
    </message>
    <message>
        <source>Gör</source>
        <translation>Does</translation>
    </message>
    <message>
        <source>Stäng</source>
        <translation>Close</translation>
    </message>
</context>
<context>
    <name>StepDoneDialog</name>
    <message>
        <source>Markera steget som klart</source>
        <translation>Mark the step as done</translation>
    </message>
    <message>
        <source>Klart</source>
        <translation>Done</translation>
    </message>
    <message>
        <source>Ska vara klart {due} · {agency}</source>
        <translation>Due {due} · {agency}</translation>
    </message>
    <message>
        <source>Kommentar</source>
        <translation>Comment</translation>
    </message>
    <message>
        <source>Kommentaren får vara högst 2 000 tecken.</source>
        <translation>The comment may be at most 2,000 characters.</translation>
    </message>
</context>
<context>
    <name>Tab</name>
    <message>
        <source>Avhopparärende</source>
        <translation>Exit programme</translation>
    </message>
    <message>
        <source>Begär avhopparstöd …</source>
        <translation>Request exit support …</translation>
    </message>
    <message>
        <source>Inget avhopparstöd i det här ärendet.</source>
        <translation>No exit support in this case.</translation>
    </message>
    <message>
        <source>{state}, begärt {date}</source>
        <translation>{state}, requested {date}</translation>
    </message>
    <message>
        <source>Ny anteckning …</source>
        <translation>New note …</translation>
    </message>
    <message>
        <source>Ändra utkast …</source>
        <translation>Edit draft …</translation>
    </message>
    <message>
        <source>Signera</source>
        <translation>Sign</translation>
    </message>
    <message>
        <source>Ta bort utkast</source>
        <translation>Delete draft</translation>
    </message>
    <message>
        <source>Rätta …</source>
        <translation>Correct …</translation>
    </message>
    <message>
        <source>Datum</source>
        <translation>Date</translation>
    </message>
    <message>
        <source>Händelser som personen är kopplad till</source>
        <translation>Incidents the person is linked to</translation>
    </message>
    <message>
        <source>Koppla till händelse …</source>
        <extracomment>How far back incidents are offered when linking the person to one.</extracomment>
        <translation>Link to incident …</translation>
    </message>
    <message>
        <source>Visa händelsen</source>
        <translation>Show the incident</translation>
    </message>
    <message>
        <source>Inträffade</source>
        <translation>Happened</translation>
    </message>
    <message>
        <source>Händelse</source>
        <translation>Incident</translation>
    </message>
    <message>
        <source>Typ</source>
        <translation>Type</translation>
    </message>
    <message>
        <source>Plats</source>
        <translation>Place</translation>
    </message>
    <message>
        <source>Registrerad av</source>
        <translation>Recorded by</translation>
    </message>
    <message>
        <source>Personen är inte kopplad till någon händelse som du får se.</source>
        <translation>The person is not linked to any incident you may see.</translation>
    </message>
    <message>
        <source>Åtgärdspunkter från händelser</source>
        <translation>Action items from incidents</translation>
    </message>
    <message>
        <source>Rubrik</source>
        <translation>Title</translation>
    </message>
    <message>
        <source>Förfaller</source>
        <translation>Due</translation>
    </message>
    <message>
        <source>Ansvarig</source>
        <translation>Responsible</translation>
    </message>
    <message>
        <source>Inga åtgärdspunkter från händelser.</source>
        <translation>No action items from incidents.</translation>
    </message>
    <message>
        <source>Kategori</source>
        <translation>Category</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Visa fler</source>
        <translation>Show more</translation>
    </message>
    <message>
        <source>Anteckningens text</source>
        <translation>Note text</translation>
    </message>
    <message>
        <source>, rättad</source>
        <translation>, corrected</translation>
    </message>
    <message>
        <source>, rättelse</source>
        <translation>, correction</translation>
    </message>
    <message>
        <source>skriven av {a} {d}</source>
        <translation>written by {a} {d}</translation>
    </message>
    <message>
        <source>signerad av {a} {d}</source>
        <translation>signed by {a} {d}</translation>
    </message>
    <message>
        <source>utkast – inte signerat</source>
        <translation>draft – not signed</translation>
    </message>
    <message>
        <source>rättar anteckning {id}</source>
        <translation>corrects note {id}</translation>
    </message>
    <message>
        <source>rättad i anteckning {ids}</source>
        <translation>corrected in note {ids}</translation>
    </message>
    <message>
        <source>Signera ”{title}”? En signerad anteckning kan inte ändras; fel rättas med en ny anteckning.</source>
        <translation>Sign “{title}”? A signed note cannot be changed; mistakes are corrected with a new note.</translation>
    </message>
    <message>
        <source>Åtgärdspunkter</source>
        <translation>Action items</translation>
    </message>
    <message>
        <source>Bara öppna</source>
        <translation>Open only</translation>
    </message>
    <message>
        <source>Ny åtgärdspunkt …</source>
        <translation>New action item …</translation>
    </message>
    <message>
        <source>Markera klar</source>
        <translation>Mark done</translation>
    </message>
    <message>
        <source>Avbryt …</source>
        <translation>Cancel …</translation>
    </message>
    <message>
        <source>Källa</source>
        <translation>Source</translation>
    </message>
    <message>
        <source>Inga åtgärdspunkter.</source>
        <translation>No action items.</translation>
    </message>
    <message>
        <source>Ärendet på möten</source>
        <translation>The case at meetings</translation>
    </message>
    <message>
        <source>Ta upp på möte …</source>
        <translation>Bring up at a meeting …</translation>
    </message>
    <message>
        <source>Visa mötet</source>
        <translation>Show the meeting</translation>
    </message>
    <message>
        <source>Möte</source>
        <translation>Meeting</translation>
    </message>
    <message>
        <source>Mötestid</source>
        <translation>Meeting time</translation>
    </message>
    <message>
        <source>Diskussion</source>
        <translation>Discussion</translation>
    </message>
    <message>
        <source>Beslut</source>
        <translation>Decision</translation>
    </message>
    <message>
        <source>Överlämning …</source>
        <extracomment>A temporary copy for the PDF reader lives at most this long. Temporary files still on disk (paths only): removed at exit at the latest.</extracomment>
        <translation>Handover …</translation>
    </message>
    <message>
        <source>Ärendesammanfattning</source>
        <translation>Case summary</translation>
    </message>
    <message>
        <source>Ett utfärdat dokument numreras, signeras och registreras. Det innehåller bara det som mottagaren får ta del av.</source>
        <translation>An issued document is numbered, signed and registered. It holds only what the recipient may receive.</translation>
    </message>
    <message>
        <source>Utfärdade dokument</source>
        <translation>Issued documents</translation>
    </message>
    <message>
        <source>Nummer</source>
        <translation>Number</translation>
    </message>
    <message>
        <source>Slag</source>
        <translation>Kind</translation>
    </message>
    <message>
        <source>Mottagare</source>
        <translation>Recipient</translation>
    </message>
    <message>
        <source>Utfärdat</source>
        <translation>Issued</translation>
    </message>
    <message>
        <source>Av</source>
        <translation>By</translation>
    </message>
    <message>
        <source>Sidor</source>
        <translation>Pages</translation>
    </message>
    <message>
        <source>Trefas sparar ingen kopia av ett utfärdat dokument, bara dess nummer och kontrollsummor. Behövs det igen: utfärda ett nytt.</source>
        <translation>Trefas keeps no copy of an issued document, only its number and checksums. If it is needed again, issue a new one.</translation>
    </message>
    <message>
        <source>Inga dokument har utfärdats i ärendet av eller till din myndighet.</source>
        <translation>No documents have been issued in this case by or to your agency.</translation>
    </message>
    <message>
        <source>Ej med i dokumentet</source>
        <translation>Left out of the document</translation>
    </message>
    <message>
        <source>Spara …</source>
        <translation>Save …</translation>
    </message>
    <message>
        <source>Skriv ut …</source>
        <translation>Print …</translation>
    </message>
    <message>
        <source>Öppna i PDF-läsaren</source>
        <translation>Open in the PDF reader</translation>
    </message>
    <message>
        <source>Den tillfälliga filen för PDF-läsaren tas bort efter 10 minuter, när Trefas låses och när Trefas stängs.</source>
        <translation>The temporary file for the PDF reader is removed after 10 minutes, when Trefas locks and when Trefas closes.</translation>
    </message>
    <message>
        <source>{n} (lösenordsskyddad)</source>
        <translation>{n} (password protected)</translation>
    </message>
    <message>
        <source>Sammanfattningen skapas …</source>
        <translation>Creating the summary …</translation>
    </message>
    <message numerus="yes">
        <source>{kind} {number} till {recipient}, %n sidor, {at}</source>
        <translation>
            <numerusform>{kind} {number} for {recipient}, %n page, {at}</numerusform>
            <numerusform>{kind} {number} for {recipient}, %n pages, {at}</numerusform>
        </translation>
    </message>
    <message>
        <source> (lösenordsskyddad)</source>
        <translation> (password protected)</translation>
    </message>
    <message>
        <source>Ingenting har utelämnats.</source>
        <translation>Nothing was left out.</translation>
    </message>
    <message>
        <source>Förhandsvisningen kunde inte visas.</source>
        <translation>The preview could not be shown.</translation>
    </message>
    <message>
        <source>Spara dokument</source>
        <translation>Save document</translation>
    </message>
    <message>
        <source>PDF-filer (*.pdf)</source>
        <translation>PDF files (*.pdf)</translation>
    </message>
    <message>
        <source>Filen kunde inte sparas.</source>
        <translation>The file could not be saved.</translation>
    </message>
    <message>
        <source>Sparat som {name}.</source>
        <translation>Saved as {name}.</translation>
    </message>
    <message>
        <source>Dokumentet kunde inte skrivas ut.</source>
        <translation>The document could not be printed.</translation>
    </message>
    <message>
        <source>Utskriften är registrerad.</source>
        <translation>The print has been registered.</translation>
    </message>
    <message>
        <source>Filen kunde inte skapas.</source>
        <translation>The file could not be created.</translation>
    </message>
    <message>
        <source>Ärendet har inte tagits upp på något möte som du får se.</source>
        <translation>The case has not been brought up at any meeting you may see.</translation>
    </message>
    <message>
        <source>Händelse {n}</source>
        <translation>Incident {n}</translation>
    </message>
    <message>
        <source>Ingen</source>
        <translation>None</translation>
    </message>
    <message>
        <source>Markera ”{title}” som klar?</source>
        <translation>Mark “{title}” as done?</translation>
    </message>
    <message>
        <source>Avbryt</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>Ta bort utkastet ”{title}”?</source>
        <translation>Delete the draft “{title}”?</translation>
    </message>
    <message>
        <source>Ta bort</source>
        <translation>Delete</translation>
    </message>
    <message>
        <source>Ärendet</source>
        <translation>The case</translation>
    </message>
    <message>
        <source>Enhet</source>
        <translation>Unit</translation>
    </message>
    <message>
        <source>Ägs av</source>
        <translation>Owned by</translation>
    </message>
    <message>
        <source>Öppnat</source>
        <translation>Opened</translation>
    </message>
    <message>
        <source>Avslut</source>
        <translation>Closure</translation>
    </message>
    <message>
        <source>Senast uppdaterat</source>
        <translation>Last updated</translation>
    </message>
    <message>
        <source>Gallras</source>
        <translation>Deleted after</translation>
    </message>
    <message>
        <source>Team</source>
        <translation>Team</translation>
    </message>
    <message>
        <source>Lägg till i teamet …</source>
        <translation>Add to the team …</translation>
    </message>
    <message>
        <source>Ta bort ur teamet</source>
        <translation>Remove from the team</translation>
    </message>
    <message>
        <source>Namn</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Roll</source>
        <translation>Role</translation>
    </message>
    <message>
        <source>Myndighet och enhet</source>
        <translation>Agency and unit</translation>
    </message>
    <message>
        <source>Telefon</source>
        <translation>Phone</translation>
    </message>
    <message>
        <source>E-post</source>
        <translation>E-mail</translation>
    </message>
    <message>
        <source>Avslutat {date}</source>
        <translation>Closed {date}</translation>
    </message>
    <message>
        <source>Begärt {date}: {reason}</source>
        <translation>Requested {date}: {reason}</translation>
    </message>
    <message>
        <source>Du har bara läsrätt i det här ärendet.</source>
        <translation>You have read-only access to this case.</translation>
    </message>
    <message>
        <source>Ärendeansvarig</source>
        <translation>Case lead</translation>
    </message>
    <message>
        <source>Begär avslut</source>
        <translation>Request closure</translation>
    </message>
    <message>
        <source>Varför ska ärendet avslutas? *</source>
        <translation>Why should the case be closed? *</translation>
    </message>
    <message>
        <source>En chef godkänner eller avslår avslutet.</source>
        <translation>A supervisor approves or rejects the closure.</translation>
    </message>
    <message>
        <source>Ändra status för {number} till ”{state}”?</source>
        <translation>Change the status of {number} to “{state}”?</translation>
    </message>
    <message>
        <source>Ändra status</source>
        <translation>Change status</translation>
    </message>
    <message>
        <source>Ta bort {name} ur teamet för {number}?</source>
        <translation>Remove {name} from the team of {number}?</translation>
    </message>
    <message>
        <source>Alla som har läst eller ändrat i ärendet, oavsett myndighet. Granskningen loggas.</source>
        <translation>Everyone who has read or changed the case, whatever their agency. The review is logged.</translation>
    </message>
    <message>
        <source>Händelsetyp</source>
        <translation>Event type</translation>
    </message>
    <message>
        <source>Öppna i Logg</source>
        <translation>Open in Log</translation>
    </message>
    <message>
        <source>{n} poster</source>
        <translation>{n} entries</translation>
    </message>
    <message>
        <source>1 post</source>
        <translation>1 entry</translation>
    </message>
    <message>
        <source>SIG-aktualiseringar</source>
        <translation>SIG referrals</translation>
    </message>
    <message>
        <source>Aktualisera till SIG …</source>
        <translation>Refer to SIG …</translation>
    </message>
    <message>
        <source>Öppna aktualisering …</source>
        <translation>Open referral …</translation>
    </message>
    <message>
        <source>Mottagen</source>
        <translation>Received</translation>
    </message>
    <message>
        <source>Aktualiserad av</source>
        <translation>Referred by</translation>
    </message>
    <message>
        <source>Avslutsorsak</source>
        <translation>Reason for ending</translation>
    </message>
    <message>
        <source>Ingen SIG-aktualisering i ärendet.</source>
        <translation>No SIG referral in the case.</translation>
    </message>
    <message>
        <source>Plan</source>
        <translation>Plan</translation>
    </message>
    <message>
        <source>Ny plan …</source>
        <translation>New plan …</translation>
    </message>
    <message>
        <source>Nytt mål …</source>
        <translation>New goal …</translation>
    </message>
    <message>
        <source>Ny åtgärd …</source>
        <translation>New action …</translation>
    </message>
    <message>
        <source>Markera åtgärd klar</source>
        <translation>Mark action done</translation>
    </message>
    <message>
        <source>Planens mål och åtgärder</source>
        <translation>The plan&apos;s goals and actions</translation>
    </message>
    <message>
        <source>Mål och åtgärder</source>
        <translation>Goals and actions</translation>
    </message>
    <message>
        <source>Klart senast</source>
        <translation>Due by</translation>
    </message>
    <message>
        <source>Uppföljning</source>
        <translation>Follow-up</translation>
    </message>
    <message>
        <source>Klar</source>
        <translation>Done</translation>
    </message>
    <message>
        <source>Ingen plan i ärendet ännu.</source>
        <translation>No plan in the case yet.</translation>
    </message>
    <message>
        <source>SIP</source>
        <translation>SIP</translation>
    </message>
    <message>
        <source>Åtgärdsplan</source>
        <translation>Action plan</translation>
    </message>
    <message>
        <source>{kind} från {date} – {state}</source>
        <translation>{kind} from {date} – {state}</translation>
    </message>
    <message>
        <source>ingen utsedd</source>
        <translation>none appointed</translation>
    </message>
    <message>
        <source>Status: {state}</source>
        <translation>Status: {state}</translation>
    </message>
    <message>
        <source>huvudansvar: {agency}, {who}</source>
        <translation>lead: {agency}, {who}</translation>
    </message>
    <message>
        <source>nästa uppföljning {date}</source>
        <translation>next follow-up {date}</translation>
    </message>
    <message>
        <source>godkänd {date} av {who}</source>
        <translation>approved {date} by {who}</translation>
    </message>
    <message>
        <source>Mål: {goal}</source>
        <translation>Goal: {goal}</translation>
    </message>
    <message>
        <source>Försenad</source>
        <translation>Overdue</translation>
    </message>
    <message>
        <source>Planen har inga mål eller åtgärder än.</source>
        <translation>The plan has no goals or actions yet.</translation>
    </message>
    <message>
        <source>Markera åtgärden ”{what}” som klar?</source>
        <translation>Mark the action “{what}” as done?</translation>
    </message>
    <message>
        <source>Avsluta planen</source>
        <translation>End the plan</translation>
    </message>
    <message>
        <source>Varför avslutas planen? *</source>
        <translation>Why is the plan ending? *</translation>
    </message>
    <message>
        <source>Godkänna planen? Den har {goals} och {actions}.</source>
        <translation>Approve the plan? It has {goals} and {actions}.</translation>
    </message>
    <message numerus="yes">
        <source>%n mål</source>
        <translation>
            <numerusform>%n goal</numerusform>
            <numerusform>%n goals</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n åtgärder</source>
        <translation>
            <numerusform>%n action</numerusform>
            <numerusform>%n actions</numerusform>
        </translation>
    </message>
    <message>
        <source>Godkänn</source>
        <translation>Approve</translation>
    </message>
</context>
<context>
    <name>TaskDialog</name>
    <message>
        <source>Ny åtgärdspunkt</source>
        <translation>New action item</translation>
    </message>
    <message>
        <source>Skapa</source>
        <translation>Create</translation>
    </message>
    <message>
        <source>Ingen ännu</source>
        <translation>None yet</translation>
    </message>
    <message>
        <source>Ärendeteamet står först. Andra kan bara få åtgärdspunkten om de får se ärendet (till exempel enhetens samordnare eller enhetschef).</source>
        <translation>The case team comes first. Others can only be given the action item if they may see the case (for example the unit&apos;s coordinator or supervisor).</translation>
    </message>
    <message>
        <source>Senast</source>
        <translation>Latest</translation>
    </message>
    <message>
        <source>Rubrik *</source>
        <translation>Title *</translation>
    </message>
    <message>
        <source>Beskrivning</source>
        <translation>Description</translation>
    </message>
    <message>
        <source>Ansvarig</source>
        <translation>Responsible</translation>
    </message>
    <message>
        <source>Förfaller</source>
        <translation>Due</translation>
    </message>
    <message>
        <source>Ange en rubrik.</source>
        <translation>Enter a title.</translation>
    </message>
    <message>
        <source>Rubriken får vara högst 200 tecken.</source>
        <translation>The title may be at most 200 characters.</translation>
    </message>
    <message>
        <source>Förfallodagen har redan passerat. Välj dagens datum eller ett senare.</source>
        <translation>The due date has passed. Choose today or a later date.</translation>
    </message>
</context>
<context>
    <name>TeamMemberDialog</name>
    <message>
        <source>Lägg till i teamet</source>
        <translation>Add to the team</translation>
    </message>
    <message>
        <source>Lägg till</source>
        <translation>Add</translation>
    </message>
    <message>
        <source>Den som läggs till ser ärendet enligt sin myndighets behörighet och personens samtycke.</source>
        <translation>The person added sees the case according to their agency&apos;s permissions and the person&apos;s consent.</translation>
    </message>
    <message>
        <source>Hämtar …</source>
        <translation>Loading …</translation>
    </message>
    <message>
        <source>Ärendeansvarig</source>
        <translation>Case lead</translation>
    </message>
    <message>
        <source>Person *</source>
        <translation>Person *</translation>
    </message>
    <message>
        <source>Välj person</source>
        <translation>Choose person</translation>
    </message>
    <message>
        <source>Välj en person.</source>
        <translation>Choose a person.</translation>
    </message>
</context>
<context>
    <name>ThreatAssessmentDialog</name>
    <message>
        <source>Ny hotbedömning</source>
        <translation>New threat assessment</translation>
    </message>
    <message>
        <source>Spara hotbedömning</source>
        <translation>Save threat assessment</translation>
    </message>
    <message>
        <source>Nivå</source>
        <translation>Level</translation>
    </message>
    <message>
        <source>Sammanfattning *</source>
        <translation>Summary *</translation>
    </message>
    <message>
        <source>Hotbedömningen är uppgifter om hot och risk: den visas bara för dem som personens samtycke omfattar.</source>
        <translation>The threat assessment is threat and risk information: it is shown only to those the person&apos;s consent covers.</translation>
    </message>
    <message>
        <source>Sammanfatta hotbilden.</source>
        <translation>Summarise the threat picture.</translation>
    </message>
    <message>
        <source>Texten är för lång (högst 20 000 tecken).</source>
        <translation>The text is too long (at most 20,000 characters).</translation>
    </message>
</context>
<context>
    <name>UnitDialog</name>
    <message>
        <source>Ny enhet</source>
        <translation>New unit</translation>
    </message>
    <message>
        <source>Skapa enhet</source>
        <translation>Create unit</translation>
    </message>
    <message>
        <source>t.ex. Rinkeby-Kista</source>
        <translation>e.g. Rinkeby-Kista</translation>
    </message>
    <message>
        <source>Myndighet</source>
        <translation>Agency</translation>
    </message>
    <message>
        <source>Kod *</source>
        <translation>Code *</translation>
    </message>
    <message>
        <source>Namn *</source>
        <translation>Name *</translation>
    </message>
    <message>
        <source>Ange en kod.</source>
        <translation>Enter a code.</translation>
    </message>
    <message>
        <source>Det finns redan en enhet med den koden.</source>
        <translation>A unit with that code already exists.</translation>
    </message>
    <message>
        <source>Ange enhetens namn.</source>
        <translation>Enter the unit&apos;s name.</translation>
    </message>
</context>
<context>
    <name>UnlockDialog</name>
    <message>
        <source>Trefas – lås upp</source>
        <translation>Trefas – unlock</translation>
    </message>
    <message>
        <source>Trefas är låst</source>
        <translation>Trefas is locked</translation>
    </message>
    <message>
        <source>Logga in i Trefas</source>
        <translation>Log in to Trefas</translation>
    </message>
    <message>
        <source>Server: {where}
Du loggar in med ditt eget konto på servern.</source>
        <translation>Server: {where}
You log in with your own account on the server.</translation>
    </message>
    <message>
        <source>Lagringsplats: {name}
{path}</source>
        <translation>Store: {name}
{path}</translation>
    </message>
    <message>
        <source>Programmet låstes. Lås upp för att fortsätta där du var.</source>
        <translation>The program was locked. Unlock to continue where you were.</translation>
    </message>
    <message>
        <source>Användarnamn:</source>
        <translation>User name:</translation>
    </message>
    <message>
        <source>Lösenord:</source>
        <translation>Password:</translation>
    </message>
    <message>
        <source>Lås upp</source>
        <translation>Unlock</translation>
    </message>
    <message>
        <source>Avsluta</source>
        <translation>Quit</translation>
    </message>
    <message>
        <source>Första inloggningen …</source>
        <translation>First log-in …</translation>
    </message>
    <message>
        <source>Återställ med återställningsnyckel …</source>
        <translation>Recover with the recovery key …</translation>
    </message>
    <message>
        <source>Låser upp …</source>
        <translation>Unlocking …</translation>
    </message>
    <message>
        <source>Ditt lösenord är valt. Logga in med det.</source>
        <translation>Your password is set. Log in with it.</translation>
    </message>
    <message>
        <source>Fel lösenord. Kontrollera Caps Lock och tangentbordslayout och försök igen. Efter flera misslyckade försök måste du vänta en stund.</source>
        <translation>Wrong password. Check Caps Lock and the keyboard layout and try again. After several failed attempts you must wait a while.</translation>
    </message>
    <message>
        <source>Det finns ingen användare med det användarnamnet i den här lagringsplatsen. Kontrollera stavningen.</source>
        <translation>There is no user with that user name in this store. Check the spelling.</translation>
    </message>
    <message>
        <source>Kontakta systemadministratören.</source>
        <translation>Contact the system administrator.</translation>
    </message>
    <message>
        <source>För många misslyckade försök. Vänta {n} s innan du försöker igen.</source>
        <translation>Too many failed attempts. Wait {n} s before trying again.</translation>
    </message>
    <message>
        <source>Du kan försöka igen nu.</source>
        <translation>You can try again now.</translation>
    </message>
</context>
<context>
    <name>UserDialog</name>
    <message>
        <source>Ny användare</source>
        <translation>New user</translation>
    </message>
    <message>
        <source>Skapa användare</source>
        <translation>Create user</translation>
    </message>
    <message>
        <source>Användarnamn *</source>
        <translation>User name *</translation>
    </message>
    <message>
        <source>Namn *</source>
        <translation>Name *</translation>
    </message>
    <message>
        <source>Roll</source>
        <translation>Role</translation>
    </message>
    <message>
        <source>Myndighet</source>
        <translation>Agency</translation>
    </message>
    <message>
        <source>Enhet *</source>
        <translation>Unit *</translation>
    </message>
    <message>
        <source>E-post</source>
        <translation>E-mail</translation>
    </message>
    <message>
        <source>Telefon</source>
        <translation>Phone</translation>
    </message>
    <message>
        <source>Kontot får en engångskod som visas en gång och gäller i 72 timmar. Personen väljer sitt eget lösenord med koden, och en arbetsledare i samma myndighet bekräftar kontot innan det når något ärendeinnehåll.</source>
        <translation>The account gets a one-time code that is shown once and is valid for 72 hours. The person chooses their own password with the code, and a supervisor of the same agency confirms the account before it reaches any case content.</translation>
    </message>
    <message>
        <source>Ingen enhet i den myndigheten – skapa en först</source>
        <translation>No unit in that agency – create one first</translation>
    </message>
    <message>
        <source>2–32 tecken: små bokstäver a–z, siffror, punkt, bindestreck eller understreck; börjar med en bokstav.</source>
        <translation>2–32 characters: lower-case a–z, digits, dot, hyphen or underscore; starts with a letter.</translation>
    </message>
    <message>
        <source>Ange ett användarnamn.</source>
        <translation>Enter a user name.</translation>
    </message>
    <message>
        <source>Ange användarens namn.</source>
        <translation>Enter the user&apos;s name.</translation>
    </message>
    <message>
        <source>Välj en enhet.</source>
        <translation>Choose a unit.</translation>
    </message>
</context>
<context>
    <name>VerifyDocumentDialog</name>
    <message>
        <source>Verifiera dokument</source>
        <translation>Verify document</translation>
    </message>
    <message>
        <source>Välj en PDF-fil eller dra den hit. Trefas kontrollerar att dokumentet är utfärdat här och inte har ändrats.</source>
        <translation>Choose a PDF file or drag it here. Trefas checks that the document was issued here and has not been changed.</translation>
    </message>
    <message>
        <source>Välj fil …</source>
        <translation>Choose file …</translation>
    </message>
    <message>
        <source>Fil</source>
        <translation>File</translation>
    </message>
    <message>
        <source>om filen är lösenordsskyddad</source>
        <translation>if the file is password protected</translation>
    </message>
    <message>
        <source>Lösenord för filen</source>
        <translation>Password for the file</translation>
    </message>
    <message>
        <source>Nummer</source>
        <translation>Number</translation>
    </message>
    <message>
        <source>Slag</source>
        <translation>Kind</translation>
    </message>
    <message>
        <source>Mottagare</source>
        <translation>Recipient</translation>
    </message>
    <message>
        <source>Utfärdat av</source>
        <translation>Issued by</translation>
    </message>
    <message>
        <source>Utfärdat</source>
        <translation>Issued</translation>
    </message>
    <message>
        <source>Kontrollera</source>
        <translation>Check</translation>
    </message>
    <message>
        <source>Stäng</source>
        <translation>Close</translation>
    </message>
    <message>
        <source>Välj dokument</source>
        <translation>Choose document</translation>
    </message>
    <message>
        <source>PDF-filer (*.pdf)</source>
        <translation>PDF files (*.pdf)</translation>
    </message>
    <message>
        <source>Dokumentet kunde inte kontrolleras.</source>
        <translation>The document could not be checked.</translation>
    </message>
    <message>
        <source>Dokumentet är äkta och oförändrat.</source>
        <translation>The document is genuine and unchanged.</translation>
    </message>
    <message>
        <source>Dokumentet kunde inte verifieras.</source>
        <translation>The document could not be verified.</translation>
    </message>
</context>
<context>
    <name>WorkerDialog</name>
    <message>
        <source>Stäng</source>
        <translation>Close</translation>
    </message>
    <message>
        <source>Arbetar …</source>
        <translation>Working …</translation>
    </message>
    <message>
        <source>Det gick inte. Försök igen.</source>
        <translation>That did not work. Try again.</translation>
    </message>
</context>
<context>
    <name>accessibility</name>
    <message>
        <source>Måste fyllas i</source>
        <translation>Required</translation>
    </message>
</context>
</TS>
