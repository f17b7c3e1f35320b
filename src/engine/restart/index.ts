// Restart policies (docker's --restart: no, on-failure[:max], always, unless-stopped). Contract: the exit path
// calls RestartManager.onExit with the container's lock held; a restart is a plain startLocked after a back-off of
// 100 ms doubling to a minute (reset by a 10 s run). A manual stop or kill suspends the policy until the next manual
// start; `always` (and `unless-stopped` not stopped by hand) come back at engine start (recoverAtOpen, after
// reconcile). Timers end with stop, rm and the engine's close. decision.ts is pure and holds every rule.
export { RestartManager } from './manager.js';
export { checkRestartConflicts, decideRestart, nextDelay, restartsAtBoot, validateRestartPolicy, type RestartPolicyRequest, FIRST_DELAY_MS, MAX_DELAY_MS, RESET_AFTER_MS,
  type ExitFacts, type RestartDecision } from './decision.js';
