# softoff.workload= of the compatibility matrix's shell-respawn arrangement: PID 1 (the
# busybox sh of tests/data/arrangements/shell-respawn.init) runs its service in a loop
# itself and starts it again whenever it ends, as users' shell inits do. The press comes
# after "compat: services up", while PID 1 waits for the service.
(sleep 2; echo "compat: services up") &
while :; do
	sleep 1000
	echo "init: service ended, restarting it"
done
