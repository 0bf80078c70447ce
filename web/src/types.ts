/** The service's replies, as the admin center reads them (see /docs). */

export type Provider = 'BuiltIn' | 'ThirdParty' | 'None';

export interface DirectoryUser {
  identity: string;
  displayName: string;
  userPrincipalName: string;
  email?: string;
  /** 'BuiltIn', the third-party provider's name, or null without dial-in. */
  provider: string | null;
  conferenceId: string | null;
  tollNumber: string | null;
  tollFreeNumber: string | null;
  licensed: boolean;
  bridgeName?: string | null;
}

export interface DirectoryPage {
  total: number;
  items: DirectoryUser[];
}

export interface DialInUser {
  Identity: string;
  DisplayName: string;
  SipAddress: string;
  Provider: Provider;
  ConferenceId: string | null;
  BridgeId: string | null;
  BridgeName: string | null;
  ServiceNumber: string | null;
  TollFreeServiceNumber: string | null;
  AllowPstnOnlyMeetings: boolean;
  AllowTollFreeDialIn: boolean;
  /** '*****' except in the reply to the action that made it. */
  LeaderPin: string | null;
}

export interface LicenseResult {
  user: { UserPrincipalName: string; DisplayName: string };
  dialIn: DialInUser;
  notes: string[];
}

export interface Acp {
  Identity?: string;
  Name: string | null;
  Domain: string | null;
  TollNumber: string | null;
  TollFreeNumbers: string[] | null;
  ParticipantPasscode: string | null;
  Url: string | null;
}

export interface BridgeView {
  Identity: string;
  Name: string;
  Region: string | null;
  IsDefault: boolean;
  DefaultServiceNumber: string | null;
  ServiceNumbers: string[];
}

export interface ServiceNumber {
  Number: string;
  Type: 'Toll' | 'TollFree';
  City: string;
  Country: string | null;
  Shared: boolean;
  BridgeId: string | null;
  BridgeName: string | null;
  PrimaryLanguage: string;
  SecondaryLanguages: string[];
}

export interface Language {
  code: string;
  name: string;
  nativeName: string;
}

export interface Settings {
  EnableEntryExitNotifications: boolean;
  EntryExitAnnouncementsType: 'UseNames' | 'ToneOnly';
  EnableNameRecording: boolean;
  PinLength: number;
  AllowPSTNOnlyMeetingsByDefault: boolean;
  AutomaticallySendEmailsToUsers: boolean;
  SendEmailFromOverride: boolean;
  SendEmailFromAddress: string | null;
  SendEmailFromDisplayName: string | null;
  AutomaticallyReplaceAcpProvider: boolean;
  AutomaticallyMigrateUserMeetings: boolean;
  UseUniqueConferenceIds: boolean;
  MaskPstnNumbersType: 'MaskedForExternalUsers' | 'MaskedForAllUsers' | 'NoMasking';
}

export interface Meeting {
  Id: string;
  Organizer: string;
  Subject: string;
  Start: string;
  End: string;
  TimeZone: string;
  State: 'scheduled' | 'cancelled';
  ConferenceIdKind: 'static' | 'meeting';
  AnnounceEntryExit: boolean | null;
  AllowPstnOnly: boolean | null;
  DialIn: {
    TollNumber: string | null;
    TollFreeNumber: string | null;
    ConferenceId: string;
    Dial: string;
  } | null;
}

export interface Migration {
  Id: string;
  UserPrincipalName: string;
  Trigger: string;
  State: 'Pending' | 'InProgress' | 'Succeeded' | 'Failed';
  RetryCount: number;
  LastMessage: string | null;
  MeetingsTotal: number;
  MeetingsMigrated: number;
  CreateDate: string;
  ModifiedDate: string;
}

export interface Participant {
  id: string;
  caller: string;
  named: boolean;
  leader: boolean;
  muted: boolean;
  handRaised: boolean;
  inLobby: boolean;
  talking: boolean;
  joinedAt: string;
}

export interface LiveMeeting {
  id: string;
  organizerId: string;
  organizerName: string;
  idKind: 'static' | 'meeting';
  started: boolean;
  locked: boolean;
  announcements: boolean;
  startedAt: string | undefined;
  participants: Participant[];
}

export interface OutboxItem {
  id: string;
  kind: string;
  state: 'pending' | 'sent' | 'failed' | 'superseded';
  to: string;
  from: string;
  subject: string;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: string | null;
  createdAt: string;
  sentAt: string | null;
  containsPin: boolean;
}

export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  field: string | null;
  oldValue: string | null;
  newValue: string | null;
}
