// Copy buttons: <button data-copy="#id-of-input">. Served from the shop itself (the CSP allows only 'self').
document.addEventListener('click', async (event) => {
  const button = event.target instanceof Element ? event.target.closest('[data-copy]') : null;
  if (!button) return;
  const field = document.querySelector(button.getAttribute('data-copy'));
  if (!field) return;
  const text = field.value ?? field.textContent ?? '';
  const done = button.getAttribute('data-copied') || 'Copied';
  const label = button.textContent;
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    field.select?.();
    document.execCommand?.('copy');
  }
  button.textContent = done;
  setTimeout(() => {
    button.textContent = label;
  }, 1500);
});

// Forms that do something hard to undo ask first: <form data-confirm="Are you sure?">.
document.addEventListener('submit', (event) => {
  const form = event.target instanceof HTMLFormElement ? event.target : null;
  const question = form?.getAttribute('data-confirm');
  if (question && !window.confirm(question)) event.preventDefault();
});
