<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="sv_SE" sourcelanguage="sv_SE">
<context>
    <name>EmergencyAccessDialog</name>
    <message numerus="yes">
        <source>%n timmar</source>
        <translation>
            <numerusform>%n timme</numerusform>
            <numerusform>%n timmar</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>IncidentPanel</name>
    <message numerus="yes">
        <source>{done} av %n steg klara</source>
        <translation>
            <numerusform>{done} av %n steg klart</numerusform>
            <numerusform>{done} av %n steg klara</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>, %n försenade</source>
        <translation>
            <numerusform>, %n försenat</numerusform>
            <numerusform>, %n försenade</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n steg i rutinen är inte klara.</source>
        <translation>
            <numerusform>%n steg i rutinen är inte klart.</numerusform>
            <numerusform>%n steg i rutinen är inte klara.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Screen</name>
    <message numerus="yes">
        <source>%n användare</source>
        <translation>
            <numerusform>%n användare</numerusform>
            <numerusform>%n användare</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n aktiva</source>
        <translation>
            <numerusform>%n aktiv</numerusform>
            <numerusform>%n aktiva</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n ärenden gallrades.</source>
        <translation>
            <numerusform>%n ärende gallrades.</numerusform>
            <numerusform>%n ärenden gallrades.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n minuter</source>
        <translation>
            <numerusform>%n minut</numerusform>
            <numerusform>%n minuter</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Sparat: låses efter %n minuter.</source>
        <translation>
            <numerusform>Sparat: låses efter %n minut.</numerusform>
            <numerusform>Sparat: låses efter %n minuter.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n försenade</source>
        <translation>
            <numerusform>%n försenat</numerusform>
            <numerusform>%n försenade</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>{state}: %n ärenden – klicka för att visa dem</source>
        <translation>
            <numerusform>{state}: %n ärende – klicka för att visa det</numerusform>
            <numerusform>{state}: %n ärenden – klicka för att visa dem</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>{unit}: %n händelser – klicka för att visa dem</source>
        <translation>
            <numerusform>{unit}: %n händelse – klicka för att visa den</numerusform>
            <numerusform>{unit}: %n händelser – klicka för att visa dem</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>{title} · {case} · {who} – %n dagar sen</source>
        <translation>
            <numerusform>{title} · {case} · {who} – %n dag sen</numerusform>
            <numerusform>{title} · {case} · {who} – %n dagar sen</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>{date} (om %n dagar) – {person} – {purpose}</source>
        <translation>
            <numerusform>{date} (om %n dag) – {person} – {purpose}</numerusform>
            <numerusform>{date} (om %n dagar) – {person} – {purpose}</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>, %n försenade</source>
        <translation>
            <numerusform>, %n försenat</numerusform>
            <numerusform>, %n försenade</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Tab</name>
    <message numerus="yes">
        <source>{kind} {number} till {recipient}, %n sidor, {at}</source>
        <translation>
            <numerusform>{kind} {number} till {recipient}, %n sida, {at}</numerusform>
            <numerusform>{kind} {number} till {recipient}, %n sidor, {at}</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n mål</source>
        <translation>
            <numerusform>%n mål</numerusform>
            <numerusform>%n mål</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n åtgärder</source>
        <translation>
            <numerusform>%n åtgärd</numerusform>
            <numerusform>%n åtgärder</numerusform>
        </translation>
    </message>
</context>
</TS>
