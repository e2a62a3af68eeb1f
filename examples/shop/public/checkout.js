// Checkout: keeps the total (price × quantity, free for a trial) in step with the form. The server computes the real total.
document.addEventListener('input', () => {
  const total = document.querySelector('[data-testid="checkout-total"]');
  const quantityInput = document.querySelector('[data-checkout-quantity]');
  if (!total || !quantityInput) return;
  const trial = document.querySelector('[data-checkout-trial]');
  const quantity = Math.min(10, Math.max(1, Number.parseInt(quantityInput.value, 10) || 1));
  const minor = trial?.checked ? 0 : Number(total.dataset.unit) * quantity;
  const value = minor / 10 ** Number(total.dataset.digits);
  total.textContent = new Intl.NumberFormat(total.dataset.intl, {
    style: 'currency',
    currency: total.dataset.currency,
    currencyDisplay: 'narrowSymbol',
  }).format(value);
});
