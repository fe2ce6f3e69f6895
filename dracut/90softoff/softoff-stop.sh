#!/bin/sh
# dracut cleanup hook (sourced by dracut's init): stop the agent that the cmdline hook
# started, just before the switch to the real root.
/usr/lib/softoff/agent-ctl stop
