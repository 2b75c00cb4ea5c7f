/** Prints what the bot posted, for a person to read: reactions, comment, check run. */

const EMOJI: Record<string, string> = {
  "+1": "👍",
  "-1": "👎",
  laugh: "😄",
  confused: "😕",
  heart: "❤️",
  hooray: "🎉",
  rocket: "🚀",
  eyes: "👀",
};

function rule(title: string): string {
  return `── ${title} ${"─".repeat(Math.max(3, 76 - title.length))}`;
}

/** Markdown as posted, minus the hidden HTML markers a reader never sees on GitHub. */
function visible(markdown: string): string {
  return markdown
    .split("\n")
    .filter((line) => !/^\s*<!--.*-->\s*$/.test(line))
    .join("\n")
    .trim();
}

export function printResults(input: {
  say: (line?: string) => void;
  /** The command the reactions are on (`/backfill all`). */
  command: string;
  reactions: string[];
  progress: { body: string; edits: number };
  check: {
    name: string;
    status: string;
    conclusion: string | null;
    output: { title?: string; summary?: string } | null;
    actions: { label: string }[];
  };
  /** The closing line: what happened behind the scenes. */
  behindTheScenes: string;
}): void {
  const { say } = input;
  say(rule(`Reactions on the ${input.command} comment`));
  say(input.reactions.map((r) => `${EMOJI[r] ?? r} ${r}`).join("   "));
  say();
  const edits = input.progress.edits;
  say(
    rule(
      `Progress comment (posted once, edited in place ${edits} ${edits === 1 ? "time" : "times"})`,
    ),
  );
  say(visible(input.progress.body));
  say();
  const { check } = input;
  say(rule(`Check run "${check.name}": ${check.status}, ${check.conclusion ?? "no conclusion"}`));
  say(`title: ${check.output?.title ?? ""}`);
  say(`buttons: ${check.actions.map((a) => a.label).join(", ") || "none"}`);
  say();
  // The results section repeats the comment's: show the run part of the summary.
  const summary = visible(check.output?.summary ?? "");
  const cut = summary.indexOf("### Results");
  say(
    cut >= 0
      ? `${summary.slice(0, cut).trim()}\n\n(then the same results as the comment)`
      : summary,
  );
  say();
  say(input.behindTheScenes);
}

/** The rows of a progress comment's table, for a short look at an earlier run. */
export function tableRows(markdown: string): string[] {
  return visible(markdown)
    .split("\n")
    .filter((line) => line.startsWith("| ") && !line.startsWith("| Repository"));
}
