// The names a profile may have: one rule for the config store (which refuses others) and completion (which offers no others).
export const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/
