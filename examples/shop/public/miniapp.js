// The shop inside Telegram (a Mini App). Served from the shop itself, so the CSP stays 'self': Telegram's own
// telegram-web-app.js is not loaded; this speaks Telegram's small postEvent protocol instead, and uses
// window.Telegram.WebApp when a page has it. Outside Telegram every part of it does nothing.
(() => {
  const STORE = 'pk.miniApp';
  const TELEGRAM_WEB = 'https://web.telegram.org';
  /** The page a buyer lands on after signing in: Telegram's BackButton is hidden there. */
  const HOME = '/dashboard';

  const webApp = window.Telegram?.WebApp ?? null;
  const launch = new URLSearchParams(window.location.hash.slice(1));

  /** What the launch told us, kept for the pages after it (Telegram passes it only to the first page). */
  function remembered() {
    try {
      return JSON.parse(window.sessionStorage.getItem(STORE) ?? 'null');
    } catch {
      return null;
    }
  }
  function remember(state) {
    try {
      window.sessionStorage.setItem(STORE, JSON.stringify(state));
    } catch {
      // Storage refused (a private window): only this page follows Telegram's look.
    }
  }

  function parseTheme(text) {
    try {
      const theme = JSON.parse(text);
      return theme !== null && typeof theme === 'object' ? theme : null;
    } catch {
      return null;
    }
  }

  const launchTheme = launch.has('tgWebAppThemeParams') ? parseTheme(launch.get('tgWebAppThemeParams')) : null;
  const inTelegram = Boolean(webApp?.initData) || launch.has('tgWebAppData') || launch.has('tgWebAppVersion') || remembered() !== null;
  if (!inTelegram) return;
  const state = remembered() ?? {};
  if (launchTheme !== null) state.theme = launchTheme;
  if (webApp?.themeParams && Object.keys(webApp.themeParams).length > 0) state.theme = webApp.themeParams;
  remember(state);
  document.documentElement.classList.add('in-telegram');

  /** Tells Telegram something: through its script when the page has it, else the way its clients listen. */
  function postEvent(type, data = {}) {
    try {
      if (window.TelegramWebviewProxy?.postEvent) window.TelegramWebviewProxy.postEvent(type, JSON.stringify(data));
      else if (window.external && 'notify' in window.external) window.external.notify(JSON.stringify({ eventType: type, eventData: data }));
      else if (window.parent !== window) window.parent.postMessage(JSON.stringify({ eventType: type, eventData: data }), TELEGRAM_WEB);
    } catch {
      // A client that does not listen: the page works without it.
    }
  }

  const listeners = new Map();
  function on(type, handler) {
    listeners.set(type, [...(listeners.get(type) ?? []), handler]);
  }
  function receive(type, data) {
    for (const handler of listeners.get(type) ?? []) handler(data ?? {});
  }
  // Telegram's phone clients call window.Telegram.WebView.receiveEvent; Telegram Web posts a message to the frame.
  if (webApp === null) {
    window.Telegram = window.Telegram ?? {};
    window.Telegram.WebView = window.Telegram.WebView ?? {};
    if (typeof window.Telegram.WebView.receiveEvent !== 'function') window.Telegram.WebView.receiveEvent = receive;
    window.addEventListener('message', (event) => {
      if (event.origin !== TELEGRAM_WEB || typeof event.data !== 'string') return;
      try {
        const message = JSON.parse(event.data);
        if (typeof message?.eventType === 'string') receive(message.eventType, message.eventData);
      } catch {
        // Not Telegram's.
      }
    });
  }

  // Telegram's colours become the shop's: its stylesheet reads every colour from these variables. Telegram's
  // secondary background is the page's, its section background the cards'.
  const VARIABLES = {
    '--bg': ['secondary_bg_color', 'bg_color'],
    '--card': ['section_bg_color', 'bg_color'],
    '--ink': ['text_color'],
    '--muted': ['hint_color', 'subtitle_text_color'],
    '--line': ['section_separator_color'],
    '--accent': ['button_color', 'link_color'],
    '--accent-ink': ['button_text_color'],
    '--bad': ['destructive_text_color'],
  };
  function applyTheme(theme) {
    if (theme === null || typeof theme !== 'object') return;
    const root = document.documentElement.style;
    for (const [variable, params] of Object.entries(VARIABLES)) {
      const value = params.map((param) => theme[param]).find((v) => typeof v === 'string' && /^#[0-9a-fA-F]{3,8}$/.test(v));
      if (value !== undefined) root.setProperty(variable, value);
    }
  }
  applyTheme(state.theme ?? null);
  const themeChanged = (theme) => {
    applyTheme(theme);
    remember({ ...(remembered() ?? {}), theme });
  };
  if (webApp !== null) webApp.onEvent?.('themeChanged', () => themeChanged(webApp.themeParams));
  else on('theme_changed', (data) => themeChanged(data.theme_params));

  // Telegram's Back button: on every page but the landing one, going back in the shop.
  const goBack = () => (window.history.length > 1 ? window.history.back() : window.location.assign(HOME));
  const showBack = window.location.pathname !== HOME && document.querySelector('[data-mini-app-sign-in]') === null;
  if (webApp?.BackButton) {
    if (showBack) {
      webApp.BackButton.onClick(goBack);
      webApp.BackButton.show();
    } else webApp.BackButton.hide();
    webApp.ready?.();
    webApp.expand?.();
  } else {
    on('back_button_pressed', goBack);
    postEvent('web_app_setup_back_button', { is_visible: showBack });
    postEvent('web_app_ready');
    postEvent('web_app_expand');
    if (state.theme === undefined) postEvent('web_app_request_theme');
  }

  // A gateway's payment page (YooKassa, Stripe, EPay…) may refuse to load in a frame, and Telegram Web and Desktop
  // show the Mini App in one: its links open in the buyer's browser through Telegram instead.
  document.addEventListener('click', (event) => {
    const link = event.target instanceof Element ? event.target.closest('a[data-gateway-link]') : null;
    if (link === null || !/^https?:$/.test(link.protocol)) return;
    if (webApp?.openLink) webApp.openLink(link.href);
    else postEvent('web_app_open_link', { url: link.href });
    event.preventDefault();
  });

  // The Mini App's first page: sign in with the launch data Telegram signed, then go on.
  const box = document.querySelector('[data-mini-app-sign-in]');
  if (box === null) return;
  const initData = webApp?.initData || launch.get('tgWebAppData') || '';
  const show = (name) => {
    for (const part of box.querySelectorAll('[data-state]')) part.hidden = part.getAttribute('data-state') !== name;
  };
  if (initData === '') return;
  // Outside the owner's required channel: the join button opens it in Telegram; "I have joined" signs in again.
  const join = box.querySelector('[data-join]');
  join?.addEventListener('click', (event) => {
    const url = join.getAttribute('href') ?? '';
    if (!url.startsWith('https://t.me/')) return;
    if (webApp?.openTelegramLink) webApp.openTelegramLink(url);
    else postEvent('web_app_open_tg_link', { path_full: url.slice('https://t.me'.length) });
    event.preventDefault();
  });
  function outsideChannel(answer) {
    box.querySelector('[data-channel-message]').textContent = typeof answer.message === 'string' ? answer.message : '';
    const url = typeof answer.joinUrl === 'string' && answer.joinUrl.startsWith('https://t.me/') ? answer.joinUrl : null;
    if (join !== null) {
      join.hidden = url === null;
      if (url !== null) join.setAttribute('href', url);
    }
    show('channel');
  }
  function signIn() {
    show('working');
    fetch(box.getAttribute('data-endpoint'), {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ initData }),
    })
      .then(async (response) => {
        const answer = await response.json().catch(() => ({}));
        if (response.ok) {
          // replace: the launch data leaves the address bar and the history.
          window.location.replace(typeof answer.next === 'string' && answer.next.startsWith('/') ? answer.next : HOME);
          return;
        }
        if (answer.error === 'channel') return outsideChannel(answer);
        if (typeof answer.message === 'string') box.querySelector('[data-message]').textContent = answer.message;
        show('failed');
      })
      .catch(() => show('failed'));
  }
  box.querySelector('[data-check]')?.addEventListener('click', signIn);
  signIn();
})();
