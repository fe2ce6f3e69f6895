# softoff.workload= of the compatibility matrix's shell-respawn arrangement: PID 1 (the
# busybox sh of tests/data/arrangements/shell-respawn.init) starts a service that takes half
# a second to stop (it cleans up on SIGTERM), then runs another service in a loop itself and
# starts it again whenever it ends, as users' shell inits do. So while the first one stops,
# PID 1 has already restarted the second. The press comes after "compat: services up".
(
	trap 'sleep 0.5; exit 0' TERM
	while :; do sleep 1; done
) &
(sleep 2; echo "compat: services up") &
while :; do
	sleep 1000
	echo "init: service ended, restarting it"
done
