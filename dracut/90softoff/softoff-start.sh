#!/bin/sh
# dracut cmdline hook (sourced by dracut's init): start softoff-agent before udev and
# everything else (unless softoff=off); the cleanup hook stops it.
/usr/lib/softoff/agent-ctl start
