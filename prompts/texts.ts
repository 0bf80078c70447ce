/**
 * What every prompt says, in every language, and which espeak-ng voice says
 * it. prompts/generate.ts turns this into prompts/<lang>/<id>.wav.
 *
 * Writing for a speech synthesizer:
 * - Numbers and keys are spelled out as words ("star two one"), so each
 *   language says them the way its callers expect, not as the voice guesses.
 * - Acronyms the voice would spell letter by letter are written as words
 *   ("pin"), or avoided.
 * - ja-JP is written in kana (the ja voice does not read kanji), with the
 *   particles は and へ written as they sound (わ, え); spaces mark phrase
 *   boundaries. espeak-ng 1.51 misreads りゃ/りゅ/りょ (an extra "a": 入力 comes
 *   out "nyuuryaoku"), so words with them are avoided (押して, not 入力して).
 * - zh-CN is Hanyu pinyin with tone numbers (5 = neutral tone) for the
 *   cmn-latn-pinyin voice. The voice applies third-tone sandhi by itself but
 *   not the sandhi of 一 and 不, so those are written as said (bu2 yao4).
 *   The characters are given in a comment on each line.
 */
import type { PromptId, PromptLanguage } from '../src/prompts/library.ts';

type DigitWords = [
  zero: string,
  one: string,
  two: string,
  three: string,
  four: string,
  five: string,
  six: string,
  seven: string,
  eight: string,
  nine: string,
];

type KeyPromptId = `digit-${string}` | `number-${string}`;
type PhraseId = Exclude<PromptId, KeyPromptId>;

export interface PromptVoice {
  /** espeak-ng voice name (`espeak-ng --voices`). */
  voice: string;
  /** Speaking rate in words per minute (espeak-ng -s). */
  speed: number;
  /** A slower rate for the digit and number prompts, which callers must catch one by one. */
  keySpeed: number;
  /** The language's name as said in that language (what `for-language` says). */
  name: string;
  texts: Record<PromptId, string>;
}

/** The twelve key prompts and the numbers 0-20 from word lists. */
function keys(
  digits: DigitWords,
  star: string,
  pound: string,
  numbers: readonly string[],
): Record<Extract<PromptId, KeyPromptId>, string> {
  if (numbers.length !== 21) throw new Error(`numbers 0-20 need 21 words, got ${numbers.length}`);
  const out: Record<string, string> = { 'digit-star': star, 'digit-pound': pound };
  digits.forEach((w, i) => (out[`digit-${i}`] = w));
  numbers.forEach((w, i) => (out[`number-${i}`] = w));
  return out as Record<Extract<PromptId, KeyPromptId>, string>;
}

function language(
  voice: string,
  name: string,
  phrases: Record<PhraseId, string>,
  keyTexts: Record<Extract<PromptId, KeyPromptId>, string>,
  speed = 165,
  keySpeed = 140,
): PromptVoice {
  return { voice, speed, keySpeed, name, texts: { ...phrases, ...keyTexts } };
}

const ENGLISH_DIGITS: DigitWords = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
];
const ENGLISH_NUMBERS = [
  ...ENGLISH_DIGITS,
  'ten',
  'eleven',
  'twelve',
  'thirteen',
  'fourteen',
  'fifteen',
  'sixteen',
  'seventeen',
  'eighteen',
  'nineteen',
  'twenty',
];

/** English phrases; `key` is what the # key is called ("pound" in the US, "hash" in the UK). */
function english(key: string, forLanguage: string): Record<PhraseId, string> {
  return {
    welcome: 'Welcome to the audio conferencing service.',
    'for-language': forLanguage,
    'enter-conference-id': `Please enter your conference ID, followed by the ${key} key.`,
    'invalid-conference-id': "That conference ID isn't valid.",
    'too-many-attempts': "Sorry, that's too many attempts. Goodbye.",
    'locked-out': 'There have been too many failed attempts. Please try again later. Goodbye.',
    'leader-or-wait': 'If you are the leader, press star. Otherwise, please wait.',
    'enter-leader-pin': `Please enter your leader pin, followed by the ${key} key.`,
    'invalid-pin': "That pin isn't valid.",
    'record-name': `After the tone, please say your name, then press the ${key} key.`,
    'lobby-wait': 'The meeting will start when the leader joins. Please stay on the line.',
    'first-person': 'You are the first person in the meeting.',
    joining: 'You are now joining the meeting.',
    'has-joined': 'has joined the meeting.',
    'has-left': 'has left the meeting.',
    caller: 'Caller',
    'caller-ending-in': 'A caller whose number ends in',
    'people-in-meeting': 'Number of people in the meeting:',
    'roll-call-names': 'In the meeting:',
    commands:
      'Press star one to hear these options. Star three for a roll call. ' +
      'Star five to raise or lower your hand. Star six to mute or unmute yourself.',
    'commands-leader':
      'As the leader: star seven locks or unlocks the meeting. ' +
      'Star two one admits everyone waiting. Star two two mutes everyone. ' +
      'Star two three turns announcements on or off. ' +
      'Star nine ends the meeting for everyone.',
    muted: 'You are muted.',
    unmuted: 'You are unmuted.',
    'mute-locked': "The leader has muted everyone. You can't unmute yourself.",
    'hand-raised': 'Your hand is raised.',
    'hand-lowered': 'Your hand is lowered.',
    'meeting-locked': 'The meeting is now locked.',
    'meeting-unlocked': 'The meeting is now unlocked.',
    'meeting-is-locked': 'This meeting is locked. Goodbye.',
    'lobby-admitted': 'Everyone waiting in the lobby has been admitted.',
    'all-muted': 'Everyone except the leader is now muted.',
    'announcements-on': 'Entry and exit announcements are on.',
    'announcements-off': 'Entry and exit announcements are off.',
    'leader-only': 'Only the leader can do that.',
    'unknown-command': "That isn't a valid command. Press star one to hear the options.",
    'meeting-ended': 'The meeting has ended. Goodbye.',
    removed: 'You have been removed from the meeting. Goodbye.',
    goodbye: 'Goodbye.',
    'no-answer': "We didn't hear anything.",
  };
}

export const PROMPT_TEXTS: Record<PromptLanguage, PromptVoice> = {
  'en-US': language(
    'en-us',
    'English',
    english('pound', 'For English, press'),
    keys(ENGLISH_DIGITS, 'star', 'pound', ENGLISH_NUMBERS),
  ),

  // "British English", so that a number offering both English voices tells them apart.
  'en-GB': language(
    'en-gb-x-rp',
    'British English',
    english('hash', 'For British English, press'),
    keys(ENGLISH_DIGITS, 'star', 'hash', ENGLISH_NUMBERS),
  ),

  'de-DE': language(
    'de',
    'Deutsch',
    {
      welcome: 'Willkommen beim Audiokonferenzdienst.',
      'for-language': 'Für Deutsch drücken Sie',
      'enter-conference-id': 'Bitte geben Sie Ihre Konferenz-ID ein, gefolgt von der Rautetaste.',
      'invalid-conference-id': 'Diese Konferenz-ID ist ungültig.',
      'too-many-attempts': 'Leider waren das zu viele Versuche. Auf Wiederhören.',
      'locked-out':
        'Es gab zu viele fehlgeschlagene Versuche. ' +
        'Bitte versuchen Sie es später noch einmal. Auf Wiederhören.',
      'leader-or-wait':
        'Wenn Sie die Besprechung leiten, drücken Sie die Sterntaste. Andernfalls warten Sie bitte.',
      // "Pinn": the voice reads "Pin" with a long i.
      'enter-leader-pin': 'Bitte geben Sie Ihre Leiter-Pinn ein, gefolgt von der Rautetaste.',
      'invalid-pin': 'Diese Pinn ist ungültig.',
      'record-name':
        'Bitte sagen Sie nach dem Signalton Ihren Namen, und drücken Sie dann die Rautetaste.',
      'lobby-wait':
        'Die Besprechung beginnt, sobald der Leiter teilnimmt. Bitte bleiben Sie am Apparat.',
      'first-person': 'Sie sind die erste Person in der Besprechung.',
      joining: 'Sie nehmen jetzt an der Besprechung teil.',
      'has-joined': 'ist der Besprechung beigetreten.',
      'has-left': 'hat die Besprechung verlassen.',
      caller: 'Anrufer',
      'caller-ending-in': 'Anrufer mit den Endziffern',
      'people-in-meeting': 'Anzahl der Personen in der Besprechung:',
      'roll-call-names': 'In der Besprechung sind:',
      commands:
        'Drücken Sie Stern eins, um diese Optionen zu hören. Stern drei für die Teilnehmerliste. ' +
        'Stern fünf, um die Hand zu heben oder zu senken. ' +
        'Stern sechs schaltet Ihr Mikrofon stumm oder wieder ein.',
      'commands-leader':
        'Für den Leiter: Stern sieben sperrt oder entsperrt die Besprechung. ' +
        'Stern zwei eins lässt alle Wartenden herein. ' +
        'Stern zwei zwei schaltet alle stumm. ' +
        'Stern zwei drei schaltet die Ansagen ein oder aus. ' +
        'Stern neun beendet die Besprechung für alle.',
      muted: 'Sie sind stummgeschaltet.',
      unmuted: 'Ihre Stummschaltung ist aufgehoben.',
      'mute-locked':
        'Der Leiter hat alle stummgeschaltet. Sie können die Stummschaltung nicht selbst aufheben.',
      'hand-raised': 'Ihre Hand ist gehoben.',
      'hand-lowered': 'Ihre Hand ist gesenkt.',
      'meeting-locked': 'Die Besprechung ist jetzt gesperrt.',
      'meeting-unlocked': 'Die Besprechung ist jetzt entsperrt.',
      'meeting-is-locked': 'Diese Besprechung ist gesperrt. Auf Wiederhören.',
      'lobby-admitted': 'Alle, die im Wartebereich gewartet haben, wurden eingelassen.',
      'all-muted': 'Alle außer dem Leiter sind jetzt stummgeschaltet.',
      'announcements-on': 'Die Ansagen beim Kommen und Gehen sind eingeschaltet.',
      'announcements-off': 'Die Ansagen beim Kommen und Gehen sind ausgeschaltet.',
      'leader-only': 'Das kann nur der Leiter tun.',
      'unknown-command':
        'Das ist kein gültiger Befehl. Drücken Sie Stern eins, um die Optionen zu hören.',
      'meeting-ended': 'Die Besprechung ist beendet. Auf Wiederhören.',
      removed: 'Sie wurden aus der Besprechung entfernt. Auf Wiederhören.',
      goodbye: 'Auf Wiederhören.',
      'no-answer': 'Wir haben nichts gehört.',
    },
    keys(
      ['null', 'eins', 'zwei', 'drei', 'vier', 'fünf', 'sechs', 'sieben', 'acht', 'neun'],
      'Stern',
      'Raute',
      [
        'null',
        'eins',
        'zwei',
        'drei',
        'vier',
        'fünf',
        'sechs',
        'sieben',
        'acht',
        'neun',
        'zehn',
        'elf',
        'zwölf',
        'dreizehn',
        'vierzehn',
        'fünfzehn',
        'sechzehn',
        'siebzehn',
        'achtzehn',
        'neunzehn',
        'zwanzig',
      ],
    ),
  ),

  // "Code animateur" rather than "code PIN": the voice spells PIN, and French
  // audio-conferencing services say "code animateur".
  'fr-FR': language(
    'fr-fr',
    'français',
    {
      welcome: 'Bienvenue sur le service de conférence audio.',
      'for-language': 'Pour le français, appuyez sur',
      'enter-conference-id':
        'Veuillez saisir votre numéro de conférence, suivi de la touche dièse.',
      'invalid-conference-id': "Ce numéro de conférence n'est pas valide.",
      'too-many-attempts': 'Désolé, le nombre de tentatives est dépassé. Au revoir.',
      'locked-out': 'Trop de tentatives ont échoué. Veuillez réessayer plus tard. Au revoir.',
      'leader-or-wait': "Si vous êtes l'animateur, appuyez sur étoile. Sinon, veuillez patienter.",
      'enter-leader-pin': 'Veuillez saisir votre code animateur, suivi de la touche dièse.',
      'invalid-pin': "Ce code n'est pas valide.",
      'record-name': 'Après le bip, veuillez dire votre nom, puis appuyez sur la touche dièse.',
      'lobby-wait': "La réunion commencera à l'arrivée de l'animateur. Veuillez rester en ligne.",
      'first-person': 'Vous êtes la première personne à rejoindre la réunion.',
      joining: 'Vous rejoignez maintenant la réunion.',
      'has-joined': 'a rejoint la réunion.',
      'has-left': 'a quitté la réunion.',
      caller: 'Le numéro',
      'caller-ending-in': 'Un appelant dont le numéro se termine par',
      'people-in-meeting': 'Nombre de participants à la réunion :',
      'roll-call-names': 'Participants présents :',
      commands:
        'Appuyez sur étoile un pour entendre ces options. ' +
        'Étoile trois pour la liste des participants. ' +
        'Étoile cinq pour lever ou baisser la main. ' +
        'Étoile six pour couper ou rétablir votre micro.',
      'commands-leader':
        "Pour l'animateur : étoile sept verrouille ou déverrouille la réunion. " +
        'Étoile deux un admet les personnes en attente. ' +
        'Étoile deux deux coupe tous les micros. ' +
        'Étoile deux trois active ou désactive les annonces. ' +
        'Étoile neuf met fin à la réunion pour tous.',
      muted: 'Votre micro est coupé.',
      unmuted: 'Votre micro est rétabli.',
      'mute-locked':
        "L'animateur a coupé le micro de tous les participants. Vous ne pouvez pas rétablir le vôtre.",
      'hand-raised': 'Votre main est levée.',
      'hand-lowered': 'Votre main est baissée.',
      'meeting-locked': 'La réunion est maintenant verrouillée.',
      'meeting-unlocked': 'La réunion est maintenant déverrouillée.',
      'meeting-is-locked': 'Cette réunion est verrouillée. Au revoir.',
      'lobby-admitted': "Toutes les personnes en salle d'attente ont été admises.",
      'all-muted': "Le micro de tous les participants, sauf l'animateur, est maintenant coupé.",
      'announcements-on': "Les annonces d'entrée et de sortie sont activées.",
      'announcements-off': "Les annonces d'entrée et de sortie sont désactivées.",
      'leader-only': "Seul l'animateur peut faire cela.",
      'unknown-command':
        "Cette commande n'est pas valide. Appuyez sur étoile un pour entendre les options.",
      'meeting-ended': 'La réunion est terminée. Au revoir.',
      removed: 'Vous avez été retiré de la réunion. Au revoir.',
      goodbye: 'Au revoir.',
      'no-answer': "Nous n'avons rien entendu.",
    },
    keys(
      ['zéro', 'un', 'deux', 'trois', 'quatre', 'cinq', 'six', 'sept', 'huit', 'neuf'],
      'étoile',
      'dièse',
      [
        'zéro',
        'un',
        'deux',
        'trois',
        'quatre',
        'cinq',
        'six',
        'sept',
        'huit',
        'neuf',
        'dix',
        'onze',
        'douze',
        'treize',
        'quatorze',
        'quinze',
        'seize',
        'dix-sept',
        'dix-huit',
        'dix-neuf',
        'vingt',
      ],
    ),
    165,
    115, // the French voice says single words very quickly
  ),

  'es-ES': language(
    'es',
    'español',
    {
      welcome: 'Le damos la bienvenida al servicio de audioconferencias.',
      'for-language': 'Para español, pulse',
      'enter-conference-id':
        'Introduzca su número de conferencia, seguido de la tecla almohadilla.',
      'invalid-conference-id': 'Ese número de conferencia no es válido.',
      'too-many-attempts': 'Lo sentimos, ha superado el número de intentos. Adiós.',
      'locked-out':
        'Se han producido demasiados intentos fallidos. Inténtelo de nuevo más tarde. Adiós.',
      'leader-or-wait': 'Si es el moderador, pulse asterisco. Si no, espere, por favor.',
      'enter-leader-pin': 'Introduzca su pin de moderador, seguido de la tecla almohadilla.',
      'invalid-pin': 'Ese pin no es válido.',
      'record-name': 'Después del tono, diga su nombre y pulse la tecla almohadilla.',
      'lobby-wait': 'La reunión comenzará cuando se conecte el moderador. Por favor, no cuelgue.',
      'first-person': 'Es la primera persona en la reunión.',
      joining: 'Se está uniendo a la reunión.',
      'has-joined': 'se ha unido a la reunión.',
      'has-left': 'ha salido de la reunión.',
      caller: 'El número',
      'caller-ending-in': 'Un número acabado en',
      'people-in-meeting': 'Número de personas en la reunión:',
      'roll-call-names': 'En la reunión están:',
      commands:
        'Pulse asterisco uno para escuchar estas opciones. Asterisco tres para pasar lista. ' +
        'Asterisco cinco para levantar o bajar la mano. ' +
        'Asterisco seis para silenciar o activar su micrófono.',
      'commands-leader':
        'Como moderador: asterisco siete bloquea o desbloquea la reunión. ' +
        'Asterisco dos uno admite a quienes esperan. ' +
        'Asterisco dos dos silencia a todos. ' +
        'Asterisco dos tres activa o desactiva los avisos. ' +
        'Asterisco nueve termina la reunión para todos.',
      muted: 'Su micrófono está silenciado.',
      unmuted: 'Su micrófono está activado.',
      'mute-locked': 'El moderador ha silenciado a todos. No puede activar su micrófono.',
      'hand-raised': 'Ha levantado la mano.',
      'hand-lowered': 'Ha bajado la mano.',
      'meeting-locked': 'Ahora la reunión está bloqueada.',
      'meeting-unlocked': 'Ahora la reunión está desbloqueada.',
      'meeting-is-locked': 'Esta reunión está bloqueada. Adiós.',
      'lobby-admitted': 'Se ha admitido a todas las personas de la sala de espera.',
      'all-muted': 'Todos, excepto el moderador, están ahora silenciados.',
      'announcements-on': 'Los avisos de entrada y salida están activados.',
      'announcements-off': 'Los avisos de entrada y salida están desactivados.',
      'leader-only': 'Solo el moderador puede hacerlo.',
      'unknown-command':
        'Ese comando no es válido. Pulse asterisco uno para escuchar las opciones.',
      'meeting-ended': 'La reunión ha terminado. Adiós.',
      removed: 'Se le ha retirado de la reunión. Adiós.',
      goodbye: 'Adiós.',
      'no-answer': 'No hemos oído nada.',
    },
    keys(
      ['cero', 'uno', 'dos', 'tres', 'cuatro', 'cinco', 'seis', 'siete', 'ocho', 'nueve'],
      'asterisco',
      'almohadilla',
      [
        'cero',
        'uno',
        'dos',
        'tres',
        'cuatro',
        'cinco',
        'seis',
        'siete',
        'ocho',
        'nueve',
        'diez',
        'once',
        'doce',
        'trece',
        'catorce',
        'quince',
        'dieciséis',
        'diecisiete',
        'dieciocho',
        'diecinueve',
        'veinte',
      ],
    ),
  ),

  // Instructions in the infinitive ("premere"), as Italian phone services say them.
  'it-IT': language(
    'it',
    'italiano',
    {
      welcome: 'Benvenuti nel servizio di audioconferenza.',
      'for-language': "Per l'italiano, premere",
      'enter-conference-id': 'Digitare il codice della conferenza, seguito dal tasto cancelletto.',
      'invalid-conference-id': 'Il codice della conferenza non è valido.',
      'too-many-attempts': 'Spiacenti, troppi tentativi. Arrivederci.',
      'locked-out':
        'Ci sono stati troppi tentativi non riusciti. Riprovare più tardi. Arrivederci.',
      'leader-or-wait': 'Se è il moderatore, premere asterisco. Altrimenti, attendere.',
      'enter-leader-pin': 'Digitare il pin del moderatore, seguito dal tasto cancelletto.',
      'invalid-pin': 'Il pin non è valido.',
      'record-name':
        'Dopo il segnale acustico, dire il proprio nome e premere il tasto cancelletto.',
      'lobby-wait': 'La riunione inizierà quando si collegherà il moderatore. Restare in linea.',
      'first-person': 'Lei è la prima persona nella riunione.',
      joining: 'Sta per entrare nella riunione.',
      'has-joined': 'ha raggiunto la riunione.',
      'has-left': 'ha lasciato la riunione.',
      caller: 'Il numero',
      'caller-ending-in': 'Un numero che termina con',
      'people-in-meeting': 'Numero di persone nella riunione:',
      'roll-call-names': 'Nella riunione sono presenti:',
      commands:
        'Premere asterisco uno per ascoltare queste opzioni. ' +
        "Asterisco tre per l'elenco dei partecipanti. " +
        'Asterisco cinque per alzare o abbassare la mano. ' +
        'Asterisco sei per disattivare o riattivare il microfono.',
      'commands-leader':
        'Per il moderatore: asterisco sette blocca o sblocca la riunione. ' +
        'Asterisco due uno ammette chi è in attesa. ' +
        'Asterisco due due disattiva tutti i microfoni. ' +
        'Asterisco due tre attiva o disattiva gli annunci. ' +
        'Asterisco nove termina la riunione per tutti.',
      muted: 'Il microfono è disattivato.',
      unmuted: 'Il microfono è attivo.',
      'mute-locked':
        'Il moderatore ha disattivato il microfono a tutti. Non è possibile riattivarlo.',
      'hand-raised': 'Ha alzato la mano.',
      'hand-lowered': 'Ha abbassato la mano.',
      'meeting-locked': 'La riunione ora è bloccata.',
      'meeting-unlocked': 'La riunione ora è sbloccata.',
      'meeting-is-locked': 'Questa riunione è bloccata. Arrivederci.',
      'lobby-admitted': "Tutte le persone in sala d'attesa sono state ammesse.",
      'all-muted': 'Ora il microfono di tutti, tranne il moderatore, è disattivato.',
      'announcements-on': 'Gli annunci di entrata e uscita sono attivi.',
      'announcements-off': 'Gli annunci di entrata e uscita sono disattivati.',
      'leader-only': 'Solo il moderatore può farlo.',
      'unknown-command': 'Comando non valido. Premere asterisco uno per ascoltare le opzioni.',
      'meeting-ended': 'La riunione è terminata. Arrivederci.',
      removed: 'Non fa più parte della riunione. Arrivederci.',
      goodbye: 'Arrivederci.',
      'no-answer': 'Non abbiamo sentito nulla.',
    },
    keys(
      ['zero', 'uno', 'due', 'tre', 'quattro', 'cinque', 'sei', 'sette', 'otto', 'nove'],
      'asterisco',
      'cancelletto',
      [
        'zero',
        'uno',
        'due',
        'tre',
        'quattro',
        'cinque',
        'sei',
        'sette',
        'otto',
        'nove',
        'dieci',
        'undici',
        'dodici',
        'tredici',
        'quattordici',
        'quindici',
        'sedici',
        'diciassette',
        'diciotto',
        'diciannove',
        'venti',
      ],
    ),
  ),

  // "Jogo da velha" is what Brazilian phone menus call the # key.
  'pt-BR': language(
    'pt-br',
    'português',
    {
      welcome: 'Boas-vindas ao serviço de audioconferência.',
      'for-language': 'Para português, tecle',
      'enter-conference-id': 'Digite o código da conferência, seguido da tecla jogo da velha.',
      'invalid-conference-id': 'Esse código de conferência não é válido.',
      'too-many-attempts': 'Desculpe, você excedeu o número de tentativas. Até logo.',
      'locked-out': 'Houve muitas tentativas sem sucesso. Tente novamente mais tarde. Até logo.',
      'leader-or-wait': 'Se você for o moderador, tecle asterisco. Caso contrário, aguarde.',
      'enter-leader-pin': 'Digite o pin do moderador, seguido da tecla jogo da velha.',
      'invalid-pin': 'Esse pin não é válido.',
      'record-name': 'Após o sinal, diga o seu nome e tecle jogo da velha.',
      'lobby-wait': 'A reunião vai começar quando o moderador entrar. Por favor, aguarde na linha.',
      'first-person': 'Você é a primeira pessoa na reunião.',
      joining: 'Você está entrando na reunião.',
      'has-joined': 'entrou na reunião.',
      'has-left': 'saiu da reunião.',
      caller: 'O número',
      'caller-ending-in': 'Um número terminado em',
      'people-in-meeting': 'Número de pessoas na reunião:',
      'roll-call-names': 'Participantes na reunião:',
      commands:
        'Tecle asterisco um para ouvir estas opções. ' +
        'Asterisco três para a lista de participantes. ' +
        'Asterisco cinco para levantar ou abaixar a mão. ' +
        'Asterisco seis para ligar ou desligar o seu microfone.',
      'commands-leader':
        'Como moderador: asterisco sete bloqueia ou desbloqueia a reunião. ' +
        'Asterisco dois um admite quem está esperando. ' +
        'Asterisco dois dois silencia todos. ' +
        'Asterisco dois três liga ou desliga os avisos. ' +
        'Asterisco nove encerra a reunião para todos.',
      muted: 'Seu microfone está desligado.',
      unmuted: 'Seu microfone está ligado.',
      'mute-locked': 'O moderador silenciou todos. Você não pode ligar o seu microfone.',
      'hand-raised': 'Sua mão está levantada.',
      'hand-lowered': 'Sua mão está abaixada.',
      'meeting-locked': 'A reunião agora está bloqueada.',
      'meeting-unlocked': 'A reunião agora está desbloqueada.',
      'meeting-is-locked': 'Esta reunião está bloqueada. Até logo.',
      'lobby-admitted': 'Todos que aguardavam na sala de espera foram admitidos.',
      'all-muted': 'Todos, exceto o moderador, agora estão silenciados.',
      'announcements-on': 'Os avisos de entrada e saída estão ligados.',
      'announcements-off': 'Os avisos de entrada e saída estão desligados.',
      'leader-only': 'Somente o moderador pode fazer isso.',
      'unknown-command': 'Esse comando não é válido. Tecle asterisco um para ouvir as opções.',
      'meeting-ended': 'A reunião terminou. Até logo.',
      removed: 'Você foi removido da reunião. Até logo.',
      goodbye: 'Até logo.',
      'no-answer': 'Não ouvimos nada.',
    },
    keys(
      ['zero', 'um', 'dois', 'três', 'quatro', 'cinco', 'seis', 'sete', 'oito', 'nove'],
      'asterisco',
      'jogo da velha',
      [
        'zero',
        'um',
        'dois',
        'três',
        'quatro',
        'cinco',
        'seis',
        'sete',
        'oito',
        'nove',
        'dez',
        'onze',
        'doze',
        'treze',
        'catorze',
        'quinze',
        'dezesseis',
        'dezessete',
        'dezoito',
        'dezenove',
        'vinte',
      ],
    ),
  ),

  'nl-NL': language(
    'nl',
    'Nederlands',
    {
      welcome: 'Welkom bij de audioconferentiedienst.',
      'for-language': 'Voor Nederlands, druk op',
      'enter-conference-id': 'Voer uw vergadernummer in, gevolgd door het hekje.',
      'invalid-conference-id': 'Dit vergadernummer is ongeldig.',
      'too-many-attempts': 'Helaas, dat waren te veel pogingen. Tot ziens.',
      'locked-out':
        'Er zijn te veel mislukte pogingen gedaan. Probeer het later opnieuw. Tot ziens.',
      'leader-or-wait':
        'Als u de gespreksleider bent, druk dan op sterretje. Wacht anders even, alstublieft.',
      'enter-leader-pin': 'Voer de pincode van de gespreksleider in, gevolgd door het hekje.',
      'invalid-pin': 'Deze pincode is ongeldig.',
      'record-name': 'Zeg na de toon uw naam, en druk daarna op het hekje.',
      'lobby-wait':
        'De vergadering begint zodra de gespreksleider deelneemt. Blijft u aan de lijn.',
      'first-person': 'U bent de eerste deelnemer aan de vergadering.',
      joining: 'U neemt nu deel aan de vergadering.',
      'has-joined': 'neemt nu deel aan de vergadering.',
      'has-left': 'heeft de vergadering verlaten.',
      caller: 'Beller',
      'caller-ending-in': 'Een beller met een nummer eindigend op',
      'people-in-meeting': 'Aantal deelnemers aan de vergadering:',
      'roll-call-names': 'In de vergadering zijn:',
      commands:
        'Druk op sterretje één om deze opties te horen. Sterretje drie voor een namenlijst. ' +
        'Sterretje vijf om uw hand op te steken of te laten zakken. ' +
        'Sterretje zes om uw microfoon uit of aan te zetten.',
      'commands-leader':
        'Voor de gespreksleider: sterretje zeven vergrendelt of ontgrendelt de vergadering. ' +
        'Sterretje twee één laat alle wachtenden toe. ' +
        'Sterretje twee twee dempt iedereen. ' +
        'Sterretje twee drie zet de meldingen aan of uit. ' +
        'Sterretje negen beëindigt de vergadering voor iedereen.',
      muted: 'Uw microfoon staat uit.',
      unmuted: 'Uw microfoon staat aan.',
      'mute-locked':
        'De gespreksleider heeft iedereen gedempt. U kunt uw microfoon niet zelf aanzetten.',
      'hand-raised': 'Uw hand is opgestoken.',
      'hand-lowered': 'Uw hand is omlaag.',
      'meeting-locked': 'De vergadering is nu vergrendeld.',
      'meeting-unlocked': 'De vergadering is nu ontgrendeld.',
      'meeting-is-locked': 'Deze vergadering is vergrendeld. Tot ziens.',
      'lobby-admitted': 'Iedereen in de wachtruimte is toegelaten.',
      'all-muted': 'Iedereen behalve de gespreksleider is nu gedempt.',
      'announcements-on': 'Meldingen bij binnenkomst en vertrek staan aan.',
      'announcements-off': 'Meldingen bij binnenkomst en vertrek staan uit.',
      'leader-only': 'Alleen de gespreksleider kan dat doen.',
      'unknown-command':
        'Dat is geen geldige opdracht. Druk op sterretje één om de opties te horen.',
      'meeting-ended': 'De vergadering is beëindigd. Tot ziens.',
      removed: 'U bent uit de vergadering verwijderd. Tot ziens.',
      goodbye: 'Tot ziens.',
      'no-answer': 'We hebben niets gehoord.',
    },
    keys(
      ['nul', 'één', 'twee', 'drie', 'vier', 'vijf', 'zes', 'zeven', 'acht', 'negen'],
      'sterretje',
      'hekje',
      [
        'nul',
        'één',
        'twee',
        'drie',
        'vier',
        'vijf',
        'zes',
        'zeven',
        'acht',
        'negen',
        'tien',
        'elf',
        'twaalf',
        'dertien',
        'veertien',
        'vijftien',
        'zestien',
        'zeventien',
        'achttien',
        'negentien',
        'twintig',
      ],
    ),
  ),

  // Kana only; the kanji spelling is in the comment. Japanese puts the verb
  // last, so for-language asks for "the following number" and the digit
  // comes after it; has-joined follows a name or number with が.
  'ja-JP': language(
    'ja',
    '日本語',
    {
      // 音声会議サービスへようこそ。
      welcome: 'おんせい かいぎ サービスえ ようこそ。',
      // 日本語の方は、次の番号を押してください。
      'for-language': 'にほんごの かたわ、 つぎの ばんごうを おしてください。',
      // 会議IDを押して、最後にシャープを押してください。
      'enter-conference-id': 'かいぎ アイディーを おして、 さいごに シャープを おしてください。',
      // 会議IDが正しくありません。
      'invalid-conference-id': 'かいぎ アイディーが ただしく ありません。',
      // 申し訳ありませんが、回数の上限を超えました。失礼いたします。
      'too-many-attempts':
        'もうしわけ ありませんが、 かいすうの じょうげんを こえました。 しつれい いたします。',
      // 間違いが多すぎます。しばらくしてから、おかけ直しください。失礼いたします。
      'locked-out':
        'まちがいが おおすぎます。 しばらく してから、 おかけなおし ください。 しつれい いたします。',
      // 主催者の方は、米印を押してください。それ以外の方は、そのままお待ちください。
      'leader-or-wait':
        'しゅさいしゃの かたわ、 こめじるしを おしてください。 それいがいの かたわ、 そのまま おまちください。',
      // 主催者用のPINを押して、最後にシャープを押してください。
      'enter-leader-pin': 'しゅさいしゃようの ピンを おして、 さいごに シャープを おしてください。',
      // PINが正しくありません。
      'invalid-pin': 'ピンが ただしく ありません。',
      // ピーという音の後に、お名前をおっしゃってから、シャープを押してください。
      'record-name':
        'ピーという おとの あとに、 おなまえを おっしゃってから、 シャープを おしてください。',
      // 主催者が参加すると、会議が始まります。このままお待ちください。
      'lobby-wait':
        'しゅさいしゃが さんかすると、 かいぎが はじまります。 このまま おまちください。',
      // あなたが最初の参加者です。
      'first-person': 'あなたが さいしょの さんかしゃです。',
      // これから会議に参加します。
      joining: 'これから かいぎに さんか します。',
      // （名前）が会議に参加しました。
      'has-joined': 'が、 かいぎに さんか しました。',
      // （名前）が会議から退出しました。
      'has-left': 'が、 かいぎから たいしゅつ しました。',
      // 電話番号
      caller: 'でんわばんごう',
      // 電話番号末尾
      'caller-ending-in': 'でんわばんごう まつび',
      // 現在の参加者数は、
      'people-in-meeting': 'げんざいの さんかしゃすうわ、',
      // 参加者は次のとおりです。
      'roll-call-names': 'さんかしゃわ、 つぎの とおりです。',
      // このご案内は米印の1、参加者の一覧は米印の3、挙手とその取り消しは米印の5、
      // ミュートの切り替えは米印の6です。
      commands:
        'この ごあんないわ、 こめじるしの いち。 さんかしゃの いちらんわ、 こめじるしの さん。 ' +
        'きょしゅと その とりけしわ、 こめじるしの ご。 ' +
        'ミュートの きりかえわ、 こめじるしの ろくです。',
      // 主催者用の操作です。ロックの切り替えは米印の7、ロビーの全員の入室は米印の2 1、
      // 全員のミュートは米印の2 2、アナウンスの切り替えは米印の2 3です。
      'commands-leader':
        'しゅさいしゃようの そうさです。 ロックの きりかえわ、 こめじるしの なな。 ' +
        'ロビーの ぜんいんの にゅうしつわ、 こめじるしの に いち。 ' +
        'ぜんいんの ミュートわ、 こめじるしの に に。 ' +
        'アナウンスの きりかえわ、 こめじるしの に さん。 ' +
        'かいぎの しゅうりょうわ、 こめじるしの きゅうです。',
      // ミュートしました。
      muted: 'ミュート しました。',
      // ミュートを解除しました。
      unmuted: 'ミュートを かいじょ しました。',
      // 主催者が全員をミュートにしています。ご自分でミュートを解除することはできません。
      'mute-locked':
        'しゅさいしゃが ぜんいんを ミュートに しています。 ごじぶんで ミュートを かいじょ することわ できません。',
      // 挙手しました。
      'hand-raised': 'きょしゅ しました。',
      // 挙手を取り消しました。
      'hand-lowered': 'きょしゅを とりけしました。',
      // 会議をロックしました。
      'meeting-locked': 'かいぎを ロック しました。',
      // 会議のロックを解除しました。
      'meeting-unlocked': 'かいぎの ロックを かいじょ しました。',
      // この会議はロックされています。失礼いたします。
      'meeting-is-locked': 'この かいぎわ ロック されています。 しつれい いたします。',
      // ロビーで待っていた方全員が入室しました。
      'lobby-admitted': 'ロビーで まっていた かた ぜんいんが にゅうしつ しました。',
      // 主催者以外の全員をミュートにしました。
      'all-muted': 'しゅさいしゃ いがいの ぜんいんを ミュートに しました。',
      // 入退室アナウンスはオンです。
      'announcements-on': 'にゅうたいしつ アナウンスわ オンです。',
      // 入退室アナウンスはオフです。
      'announcements-off': 'にゅうたいしつ アナウンスわ オフです。',
      // この操作は主催者のみ行えます。
      'leader-only': 'この そうさわ、 しゅさいしゃのみ おこなえます。',
      // 無効な操作です。操作のご案内は、米印の1を押してください。
      'unknown-command':
        'むこうな そうさです。 そうさの ごあんないわ、 こめじるしの いちを おしてください。',
      // 会議は終わりました。失礼いたします。
      'meeting-ended': 'かいぎわ おわりました。 しつれい いたします。',
      // 会議から退出となりました。失礼いたします。
      removed: 'かいぎから たいしゅつと なりました。 しつれい いたします。',
      // 失礼いたします。
      goodbye: 'しつれい いたします。',
      // 操作が確認できませんでした。
      'no-answer': 'そうさが かくにん できませんでした。',
    },
    keys(
      ['ぜろ', 'いち', 'に', 'さん', 'よん', 'ご', 'ろく', 'なな', 'はち', 'きゅう'],
      'こめじるし',
      'シャープ',
      [
        'ぜろ',
        'いち',
        'に',
        'さん',
        'よん',
        'ご',
        'ろく',
        'なな',
        'はち',
        'きゅう',
        'じゅう',
        'じゅういち',
        'じゅうに',
        'じゅうさん',
        'じゅうよん',
        'じゅうご',
        'じゅうろく',
        'じゅうなな',
        'じゅうはち',
        'じゅうきゅう',
        'にじゅう',
      ],
    ),
  ),

  // Pinyin with tone numbers; the characters are in the comment. Digits are
  // read yi1 (not yao1) since the same prompt is used in menus and counts.
  'zh-CN': language(
    'cmn-latn-pinyin',
    '普通话',
    {
      // 欢迎使用音频会议服务。
      welcome: 'huan1 ying2 shi3 yong4 yin1 pin2 hui4 yi4 fu2 wu4.',
      // 普通话请按
      'for-language': 'pu3 tong1 hua4 qing3 an4',
      // 请输入会议号，并以井号键结束。
      'enter-conference-id': 'qing3 shu1 ru4 hui4 yi4 hao4, bing4 yi3 jing3 hao4 jian4 jie2 shu4.',
      // 会议号无效。
      'invalid-conference-id': 'hui4 yi4 hao4 wu2 xiao4.',
      // 抱歉，尝试次数过多。再见。
      'too-many-attempts': 'bao4 qian4, chang2 shi4 ci4 shu4 guo4 duo1. zai4 jian4.',
      // 失败次数过多，请稍后再试。再见。
      'locked-out': 'shi1 bai4 ci4 shu4 guo4 duo1, qing3 shao1 hou4 zai4 shi4. zai4 jian4.',
      // 如果您是主持人，请按星号键。否则，请稍候。
      'leader-or-wait':
        'ru2 guo3 nin2 shi4 zhu3 chi2 ren2, qing3 an4 xing1 hao4 jian4. fou3 ze2, qing3 shao1 hou4.',
      // 请输入主持人密码，并以井号键结束。
      'enter-leader-pin':
        'qing3 shu1 ru4 zhu3 chi2 ren2 mi4 ma3, bing4 yi3 jing3 hao4 jian4 jie2 shu4.',
      // 密码无效。
      'invalid-pin': 'mi4 ma3 wu2 xiao4.',
      // 请在提示音后说出您的姓名，然后按井号键。
      'record-name':
        'qing3 zai4 ti2 shi4 yin1 hou4 shuo1 chu1 nin2 de5 xing4 ming2, ran2 hou4 an4 jing3 hao4 jian4.',
      // 会议将在主持人加入后开始。请不要挂机。
      'lobby-wait':
        'hui4 yi4 jiang1 zai4 zhu3 chi2 ren2 jia1 ru4 hou4 kai1 shi3. qing3 bu2 yao4 gua4 ji1.',
      // 您是第一位参会者。
      'first-person': 'nin2 shi4 di4 yi1 wei4 can1 hui4 zhe3.',
      // 正在为您接入会议。
      joining: 'zheng4 zai4 wei4 nin2 jie1 ru4 hui4 yi4.',
      // （名字）已加入会议。
      'has-joined': 'yi3 jia1 ru4 hui4 yi4.',
      // （名字）已离开会议。
      'has-left': 'yi3 li2 kai1 hui4 yi4.',
      // 来电
      caller: 'lai2 dian4',
      // 来电尾号
      'caller-ending-in': 'lai2 dian4 wei3 hao4',
      // 当前参会人数：
      'people-in-meeting': 'dang1 qian2 can1 hui4 ren2 shu4:',
      // 参会人员：
      'roll-call-names': 'can1 hui4 ren2 yuan2:',
      // 重听选项请按星一。点名请按星三。举手或放下手请按星五。静音或取消静音请按星六。
      commands:
        'chong2 ting1 xuan3 xiang4 qing3 an4 xing1 yi1. dian3 ming2 qing3 an4 xing1 san1. ' +
        'ju3 shou3 huo4 fang4 xia4 shou3 qing3 an4 xing1 wu3. ' +
        'jing4 yin1 huo4 qu3 xiao1 jing4 yin1 qing3 an4 xing1 liu4.',
      // 主持人功能：星七，锁定或解锁会议。星二一，准许等候的人入会。星二二，全体静音。
      // 星二三，开关入会离会提示。
      'commands-leader':
        'zhu3 chi2 ren2 gong1 neng2: xing1 qi1, suo3 ding4 huo4 jie3 suo3 hui4 yi4. ' +
        'xing1 er4 yi1, zhun3 xu3 deng3 hou4 de5 ren2 ru4 hui4. ' +
        'xing1 er4 er4, quan2 ti3 jing4 yin1. ' +
        'xing1 er4 san1, kai1 guan1 ru4 hui4 li2 hui4 ti2 shi4. ' +
        'xing1 jiu3, wei4 suo3 you3 ren2 jie2 shu4 hui4 yi4.',
      // 您已静音。
      muted: 'nin2 yi3 jing4 yin1.',
      // 您已取消静音。
      unmuted: 'nin2 yi3 qu3 xiao1 jing4 yin1.',
      // 主持人已设置全体静音，您无法自行取消静音。
      'mute-locked':
        'zhu3 chi2 ren2 yi3 she4 zhi4 quan2 ti3 jing4 yin1, nin2 wu2 fa3 zi4 xing2 qu3 xiao1 jing4 yin1.',
      // 您已举手。
      'hand-raised': 'nin2 yi3 ju3 shou3.',
      // 您已放下手。
      'hand-lowered': 'nin2 yi3 fang4 xia4 shou3.',
      // 会议已锁定。
      'meeting-locked': 'hui4 yi4 yi3 suo3 ding4.',
      // 会议已解锁。
      'meeting-unlocked': 'hui4 yi4 yi3 jie3 suo3.',
      // 本会议已锁定。再见。
      'meeting-is-locked': 'ben3 hui4 yi4 yi3 suo3 ding4. zai4 jian4.',
      // 等候室中的所有人均已入会。
      'lobby-admitted': 'deng3 hou4 shi4 zhong1 de5 suo3 you3 ren2 jun1 yi3 ru4 hui4.',
      // 除主持人外，所有人已静音。
      'all-muted': 'chu2 zhu3 chi2 ren2 wai4, suo3 you3 ren2 yi3 jing4 yin1.',
      // 入会和离会提示已开启。
      'announcements-on': 'ru4 hui4 he2 li2 hui4 ti2 shi4 yi3 kai1 qi3.',
      // 入会和离会提示已关闭。
      'announcements-off': 'ru4 hui4 he2 li2 hui4 ti2 shi4 yi3 guan1 bi4.',
      // 只有主持人可以执行此操作。
      'leader-only': 'zhi3 you3 zhu3 chi2 ren2 ke3 yi3 zhi2 xing2 ci3 cao1 zuo4.',
      // 无效的命令。请按星一收听选项。
      'unknown-command': 'wu2 xiao4 de5 ming4 ling4. qing3 an4 xing1 yi1 shou1 ting1 xuan3 xiang4.',
      // 会议已结束。再见。
      'meeting-ended': 'hui4 yi4 yi3 jie2 shu4. zai4 jian4.',
      // 您已被移出会议。再见。
      removed: 'nin2 yi3 bei4 yi2 chu1 hui4 yi4. zai4 jian4.',
      // 再见。
      goodbye: 'zai4 jian4.',
      // 没有收到您的输入。
      'no-answer': 'mei2 you3 shou1 dao4 nin2 de5 shu1 ru4.',
    },
    keys(
      // 零 一 二 三 四 五 六 七 八 九; 星号, 井号
      ['ling2', 'yi1', 'er4', 'san1', 'si4', 'wu3', 'liu4', 'qi1', 'ba1', 'jiu3'],
      'xing1 hao4',
      'jing3 hao4',
      [
        'ling2',
        'yi1',
        'er4',
        'san1',
        'si4',
        'wu3',
        'liu4',
        'qi1',
        'ba1',
        'jiu3',
        'shi2',
        'shi2 yi1',
        'shi2 er4',
        'shi2 san1',
        'shi2 si4',
        'shi2 wu3',
        'shi2 liu4',
        'shi2 qi1',
        'shi2 ba1',
        'shi2 jiu3',
        'er4 shi2',
      ],
    ),
  ),
};
