# The busybox sh script of issue 13, run on Archipel and on Linux 6.1
# (tools/busybox_script.py); its output between the BEGIN and END lines must
# be the same. Everything it prints is deterministic.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
cd /
echo "=== BEGIN busybox script"
echo "== pipes"
printf 'c\nb\na\n' | sort | tr a-z A-Z | head -2
echo one two three | wc -w
seq 1 100 | grep 7 | wc -l
echo "== command substitution"
x=$(echo inner $(echo nested))
echo "x=$x"
n=$(( $(printf 'a\nb\nc\n' | wc -l) * 2 ))
echo "n=$n"
echo "== background jobs and wait"
mkdir -p /tmp/bb
for j in 1 2 3 4; do ( sleep 0.$j; echo "job $j" > /tmp/bb/out.$j ) & done
wait
cat /tmp/bb/out.1 /tmp/bb/out.2 /tmp/bb/out.3 /tmp/bb/out.4
sleep 0.2 & p=$!; wait $p; echo "wait status $?"
( exit 3 ) & wait $!; echo "exit status $?"
echo "== trap USR1"
trap 'echo got USR1' USR1
kill -USR1 $$
echo "after USR1"
sh -c 'trap "echo inner got USR1; exit 7" USR1; kill -USR1 $$; sleep 5'
echo "inner status $?"
trap - USR1
echo "== subshells"
a=outer; ( a=inner; echo "in: $a" ); echo "out: $a"
(cd /tmp/bb && pwd); pwd
echo "$( (echo deep) )"
echo "== here-documents"
cat <<EOT
value of a: $a
sum: $((2 + 3))
EOT
cat <<'EOT'
literal $a $((1+1))
EOT
while read k v; do echo "$k=$v"; done <<EOT
one 1
two 2
EOT
echo "== kill -STOP/-CONT"
sleep 1 & p=$!
kill -STOP $p; kill -CONT $p; wait $p; echo "stopped and continued: status $?"
echo "== timeout"
timeout 1 sleep 5; echo "timeout status $?"
timeout 5 true; echo "no timeout status $?"
echo "== sleep"
sleep 0.1; echo "slept"
echo "== trap EXIT"
trap 'echo "exit trap ran"; echo "=== END busybox script"' EXIT
echo "last line"
