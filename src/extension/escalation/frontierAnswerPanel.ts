import type { AnswerAction, AnswerHandle, AnswerView } from '../answerView/answerView.js';
import type { SelectionTarget } from '../actions/selectionTarget.js';
import type { EscalationTask } from './frontier/escalationTask.js';
import { RenderThrottle } from './frontier/renderThrottle.js';

/**
 * The frontier model's answer, streamed into the Hearth answer view, where it replaces what was shown:
 * after a local explanation, Back shows the local answer and Forward this one again. While the answer
 * streams, the view is re-rendered a few times a second (RenderThrottle), not once per chunk, and
 * shows a Stop button.
 */
export class FrontierAnswerPanel {
	private readonly heading: string;
	private readonly title: string;
	private answer: AnswerHandle | undefined;
	private readonly throttle = new RenderThrottle<string>((text) => this.answer?.update(`${this.heading}${text}\n`));

	constructor(
		private readonly answers: AnswerView,
		task: EscalationTask,
		target: SelectionTarget,
		model: string,
	) {
		const name = target.document.uri.path.split('/').pop() ?? 'code';
		const lines = `lines ${target.range.start.line + 1}–${target.range.end.line + 1}`;
		this.title = `Frontier ${name}:${target.range.start.line + 1}`;
		const question = task.question ? `\n\n> ${task.question.replace(/\n/g, '\n> ')}` : '';
		const comparing = task.localAnswer
			? `\n\n*Asked with the local answer of ${task.localAnswer.model} for comparison (Back shows it).*`
			: '';
		this.heading = `# ${model} on ${target.description} in \`${name}\` (${lines})${question}${comparing}\n\n`;
	}

	/** Shows the answer's heading in the view; `stop` is the view's Stop button until it finishes. */
	open(stop: () => void): void {
		this.answer = this.answers.open({
			title: this.title,
			format: 'markdown',
			content: `${this.heading}*Waiting for the first words…*\n`,
			stop,
		});
	}

	/** The answer so far: shown now, or with the next render if one was just made. */
	show(text: string): void {
		this.throttle.update(text);
	}

	finish(text: string, footer: string, actions: AnswerAction[] = []): void {
		this.throttle.cancel();
		this.answer?.finish(`${this.heading}${text}\n\n---\n*${footer}*\n`, actions);
	}
}
