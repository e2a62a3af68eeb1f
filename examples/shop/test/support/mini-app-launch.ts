import { signInitData } from '../../src/app/auth/telegram-init-data.js';

/** A Telegram user as a Mini App's launch data names them. */
export interface LaunchUser {
  id: number;
  first_name?: string;
  username?: string;
  language_code?: string;
}

/**
 * The launch data Telegram gives a Mini App opened from the bot's menu button by `user` at `at`, signed with the
 * bot's token as Telegram signs it (with the fields Telegram sends today besides the user, `signature` among them).
 */
export function launchData(botToken: string, user: LaunchUser, at: Date, extra: Record<string, string> = {}): string {
  return signInitData(botToken, {
    query_id: `AAH${user.id}${at.getTime().toString(36)}`,
    user: JSON.stringify({ first_name: `User ${user.id}`, language_code: 'en', allows_write_to_pm: true, ...user }),
    chat_instance: '-3788475317572404878',
    chat_type: 'sender',
    auth_date: String(Math.floor(at.getTime() / 1000)),
    signature: 'dSvZx1bq3BkJwkzfBCLPP0TV4i36kdaUdMuDf1WCJEswNa8lDGBD3SNDW0DMNnwqcRdZwwpeH1vXc7I5MjZhDw',
    ...extra,
  });
}

/** Telegram's colours for a dark theme, as `tgWebAppThemeParams` carries them. */
export const DARK_THEME = {
  bg_color: '#17212b',
  secondary_bg_color: '#0e1621',
  section_bg_color: '#17212b',
  text_color: '#f5f5f5',
  hint_color: '#708499',
  link_color: '#6ab3f3',
  button_color: '#5288c1',
  button_text_color: '#ffffff',
  section_separator_color: '#111921',
  destructive_text_color: '#ec3942',
};

/** The fragment Telegram opens a Mini App's URL with: the launch data, the client's version and platform, the theme. */
export function launchFragment(initData: string, theme: Record<string, string> = DARK_THEME): string {
  return `#${new URLSearchParams({
    tgWebAppData: initData,
    tgWebAppVersion: '8.0',
    tgWebAppPlatform: 'android',
    tgWebAppThemeParams: JSON.stringify(theme),
  }).toString()}`;
}
