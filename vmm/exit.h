/* exit.h: lkvm's documented exit statuses (docs/exit-status.md). */
#ifndef LKVM_EXIT_H
#define LKVM_EXIT_H

enum lkvm_exit {
	LKVM_EXIT_POWEROFF = 0,	/* guest powered off (PSCI SYSTEM_OFF), or Ctrl-a x */
	LKVM_EXIT_STOP = 0,	/* `lkvm stop NAME`: an orderly end the user asked for, as Ctrl-a x */
	/* 0..255 written to the exit device by the guest: that status */
	LKVM_EXIT_ERROR = 1,	/* lkvm could not start or run the VM; see the Fatal: line */
	LKVM_EXIT_RESET = 2,	/* guest asked for a reset (PSCI SYSTEM_RESET) */
	LKVM_EXIT_CRASH = 3,	/* guest reported a crash (KVM_SYSTEM_EVENT_CRASH) */
	LKVM_EXIT_TIMEOUT = 124,	/* --timeout expired (as timeout(1)) */
	LKVM_EXIT_SIGNAL = 128,	/* + signal number: stopped by SIGINT, SIGTERM or SIGHUP */
};

#endif
