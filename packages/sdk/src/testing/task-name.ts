/** The part of a vitest task the suites read. */
export interface TaskLike {
  name: string;
  suite?: TaskLike;
}

/** A test's full name: its describe blocks' names and its own, joined with ` > `. */
export function fullName(task: TaskLike): string {
  const names: string[] = [];
  // A top-level describe has no `suite` (the file is `task.file`), so this stops below the file.
  for (let t: TaskLike | undefined = task; t !== undefined; t = t.suite) names.unshift(t.name);
  return names.join(' > ');
}
