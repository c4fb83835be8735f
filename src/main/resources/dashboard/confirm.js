// The question every action asks before it changes anything (pause a queue, cancel tasks...): a
// modal dialog, not window.confirm, so that it can carry an input (a queue's cap), says what the
// action does, and shows the API's answer when it refuses. Escape or "Back" changes nothing.

let current = null;

// Resolves with what run(value) answered once the user confirmed and the action succeeded, or with
// null when the user went back. A failed action keeps the dialog open with the API's message, so
// the value can be corrected or the question left.
//   heading, text: the question; confirm: the button's words; destructive: focus starts on "Back";
//   field: {label, value, hint} for one text input whose value run() gets; run(value): the action.
export function confirmAction({ heading, text, confirm, destructive = false, field = null, run }) {
  if (current) current.abandon();
  const dialog = document.getElementById('confirm');
  const form = document.getElementById('confirm-form');
  const ok = document.getElementById('confirm-ok');
  const back = document.getElementById('confirm-back');
  const box = document.getElementById('confirm-field');
  const input = document.getElementById('confirm-input');
  const message = document.getElementById('confirm-message');
  const opener = document.activeElement;

  document.getElementById('confirm-heading').textContent = heading;
  document.getElementById('confirm-text').textContent = text;
  ok.textContent = confirm;
  ok.dataset.kind = destructive ? 'danger' : '';
  ok.disabled = false;
  back.disabled = false;
  message.textContent = '';
  message.dataset.kind = '';
  box.hidden = !field;
  input.removeAttribute('aria-invalid');
  if (field) {
    document.getElementById('confirm-label').textContent = field.label;
    document.getElementById('confirm-hint').textContent = field.hint ?? '';
    input.value = field.value ?? '';
  }

  return new Promise((resolve) => {
    let busy = false;
    const finish = (result) => {
      form.removeEventListener('submit', submit);
      back.removeEventListener('click', goBack);
      dialog.removeEventListener('cancel', cancel);
      current = null;
      if (dialog.open) dialog.close();
      if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
      resolve(result);
    };
    const goBack = () => {
      if (!busy) finish(null);
    };
    const cancel = (event) => {
      // Escape while the action runs would hide its outcome
      event.preventDefault();
      goBack();
    };
    const submit = async (event) => {
      event.preventDefault();
      if (busy) return;
      busy = true;
      ok.disabled = true;
      back.disabled = true;
      message.textContent = 'Working…';
      message.dataset.kind = '';
      input.removeAttribute('aria-invalid');
      try {
        const result = await run(field ? input.value : undefined);
        finish(result);
      } catch (error) {
        busy = false;
        ok.disabled = false;
        back.disabled = false;
        message.textContent = error.message;
        message.dataset.kind = 'error';
        if (field) {
          input.setAttribute('aria-invalid', 'true');
          input.focus();
        } else {
          back.focus();
        }
      }
    };
    current = { abandon: () => finish(null) };
    form.addEventListener('submit', submit);
    back.addEventListener('click', goBack);
    dialog.addEventListener('cancel', cancel);
    if (!dialog.open) dialog.showModal();
    if (field) {
      input.focus();
      input.select();
    } else {
      (destructive ? back : ok).focus();
    }
  });
}
