// Checkout: keeps the total (price × quantity, free for a trial) in step with the form. The server computes the real total.
document.addEventListener('input', () => {
  const total = document.querySelector('[data-testid="checkout-total"]');
  const quantityInput = document.querySelector('[data-checkout-quantity]');
  if (!total || !quantityInput) return;
  const trial = document.querySelector('[data-checkout-trial]');
  const quantity = Math.min(10, Math.max(1, Number.parseInt(quantityInput.value, 10) || 1));
  const minor = trial?.checked ? 0 : Number(total.dataset.unit) * quantity;
  total.textContent = money(total, minor);
});

/** `minor` units of the total's currency, written as the page writes money (its language, currency and digits). */
function money(total, minor) {
  return new Intl.NumberFormat(total.dataset.intl, {
    style: 'currency',
    currency: total.dataset.currency,
    currencyDisplay: 'narrowSymbol',
  }).format(minor / 10 ** Number(total.dataset.digits));
}

// A plan the buyer composes: each change asks the server's quote (the engine's one rule) and shows its price, or why
// the choice is refused. Only the latest answer is shown; without the script the form still posts and is priced.
(() => {
  const builder = document.querySelector('[data-testid="plan-builder"][data-quote-url]');
  if (!builder) return;
  const price = builder.querySelector('[data-testid="built-price"]');
  const problem = builder.querySelector('[data-testid="built-price-problem"]');
  const total = document.querySelector('[data-testid="checkout-total"]');
  let asked = 0;
  let timer = 0;

  function choice() {
    const picked = [...builder.querySelectorAll('input[name="choiceLocations"]:checked')].map((box) => box.value);
    const out = {};
    if (builder.querySelector('input[name="choiceLocations"]')) out.locations = picked;
    for (const name of ['devices', 'trafficGiB', 'days']) {
      const input = builder.querySelector(`input[name="${name}"]`);
      if (input && input.value.trim() !== '') out[name] = Number(input.value);
    }
    return out;
  }

  function show(text, amount, message) {
    price.textContent = text;
    if (amount === null) price.removeAttribute('data-amount');
    else price.setAttribute('data-amount', String(amount));
    if (total) total.textContent = text;
    problem.textContent = message;
    problem.hidden = message === '';
    builder.setAttribute('data-quoted', String(asked));
  }

  async function quote() {
    const mine = ++asked;
    builder.setAttribute('data-quoting', String(mine));
    try {
      const response = await fetch(builder.dataset.quoteUrl, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': builder.dataset.csrf },
        body: JSON.stringify({ choice: choice() }),
      });
      const answer = await response.json().catch(() => ({}));
      if (mine !== asked) return;
      if (response.ok && answer.allowed === true && total) show(money(total, answer.price.amount), answer.price.amount, '');
      else show('—', null, typeof answer.message === 'string' ? answer.message : (answer.error?.message ?? ''));
    } catch {
      if (mine === asked) show('—', null, '');
    }
  }

  const changed = () => {
    clearTimeout(timer);
    timer = setTimeout(quote, 150);
  };
  // Typing and ticking both fire `input`; `change` would fire again when the buyer leaves a field.
  builder.addEventListener('input', changed);
})();
