// No imports here: the command line loads these lists and must start fast.

/** Parameters of Set-CsOnlineDialInConferencingUser (the API's PATCH body takes the same names). */
export const SET_DIALIN_USER_FIELDS = [
  'ConferenceId',
  'ResetConferenceId',
  'ResetLeaderPin',
  'ServiceNumber',
  'TollFreeServiceNumber',
  'BridgeId',
  'BridgeName',
  'AllowPSTNOnlyMeetings',
  'AllowTollFreeDialIn',
  'SendEmail',
  'SendEmailToAddress',
  'Force',
] as const;

/** Parameters of New-CsOnlineDialInConferencingServiceNumber (and the API's POST body). */
export const NEW_SERVICE_NUMBER_FIELDS = [
  'Identity',
  'Type',
  'City',
  'BridgeName',
  'BridgeId',
  'Shared',
  'PrimaryLanguage',
  'SecondaryLanguages',
] as const;
