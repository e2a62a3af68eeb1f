/** The updates a storefront's bot asks Telegram for: messages and buttons. */
export const STOREFRONT_ALLOWED_UPDATES = ['message', 'callback_query'] as const;
