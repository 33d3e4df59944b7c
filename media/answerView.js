// The Hearth answer view's page script: shows what the extension posts, sanitised, and sends back
// Back, Forward, Stop and the answer's actions. Nothing else runs in the view (its CSP allows this
// script alone).
(function () {
	const vscode = acquireVsCodeApi();
	const answer = document.getElementById('answer');
	const back = document.getElementById('back');
	const forward = document.getElementById('forward');
	const stop = document.getElementById('stop');
	const position = document.getElementById('position');
	const actions = document.getElementById('actions');
	const FORBIDDEN = 'script, style, iframe, frame, object, embed, link, meta, base, form, input, button, textarea, select';

	/** The answer's HTML without anything that could run, load or navigate. */
	function sanitised(html) {
		const template = document.createElement('template');
		template.innerHTML = html;
		for (const element of template.content.querySelectorAll(FORBIDDEN)) element.remove();
		for (const element of template.content.querySelectorAll('*')) {
			for (const attribute of [...element.attributes]) {
				const name = attribute.name.toLowerCase();
				const value = attribute.value.trim().toLowerCase();
				if (
					name.startsWith('on') ||
					name === 'style' ||
					((name === 'href' || name === 'src') && !/^(#|https?:|data:image\/)/.test(value))
				) {
					element.removeAttribute(attribute.name);
				}
			}
		}
		return template.content;
	}

	window.addEventListener('message', (event) => {
		const message = event.data;
		if (!message || message.type !== 'show') return;
		const atBottom = window.innerHeight + window.scrollY >= document.body.scrollHeight - 40;
		answer.replaceChildren(sanitised(message.html));
		back.disabled = !message.back;
		forward.disabled = !message.forward;
		position.textContent = message.position;
		stop.hidden = !message.stop;
		actions.replaceChildren(
			...message.actions.map((label, index) => {
				const button = document.createElement('button');
				button.textContent = label;
				button.addEventListener('click', () => vscode.postMessage({ type: 'action', index }));
				return button;
			}),
		);
		// While an answer streams, follow it if the reader was at its end.
		if (message.stop && atBottom) window.scrollTo(0, document.body.scrollHeight);
	});

	back.addEventListener('click', () => vscode.postMessage({ type: 'back' }));
	forward.addEventListener('click', () => vscode.postMessage({ type: 'forward' }));
	stop.addEventListener('click', () => vscode.postMessage({ type: 'stop' }));
	window.addEventListener('keydown', (event) => {
		if (event.altKey && event.key === 'ArrowLeft') vscode.postMessage({ type: 'back' });
		if (event.altKey && event.key === 'ArrowRight') vscode.postMessage({ type: 'forward' });
	});
	vscode.postMessage({ type: 'ready' });
})();
