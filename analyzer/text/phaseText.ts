/** How prose names a phase's steps: `decode step`, or plain `step` where the phase is not known. */
export function phaseStep(phase: string): string {
  return phase === 'step' ? 'step' : `${phase} step`;
}
