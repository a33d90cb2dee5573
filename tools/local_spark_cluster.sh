#!/usr/bin/env bash
# A Spark standalone cluster on this machine, from advkit-spark's own jars (no Spark distribution needed): one
# Master and N one-core Workers on 127.0.0.1, each its own JVM, for trying `--spark spark://...` and for the
# benchmarks in docs/BENCHMARKS.md. Needs `mvn -q -f spark/pom.xml -DskipTests package` first.
#   tools/local_spark_cluster.sh start [WORKERS=2] [PORT=7077]   prints the master URL once all Workers registered
#   tools/local_spark_cluster.sh stop                             stops the Master, the Workers and their executors
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${ADVKIT_SPARK_DIR:-/tmp/advkit-spark-cluster}"
cp="$here/target/advkit.jar:$here/spark/target/advkit-spark.jar:$here/spark/target/lib/*"

stop() {
  for f in "$dir"/*.pid; do
    [ -f "$f" ] || continue
    pid="$(cat "$f")"
    pkill -9 -P "$pid" 2>/dev/null || true   # executors are the Workers' children
    kill "$pid" 2>/dev/null || true
    rm -f "$f"
  done
}

case "${1:-}" in
  start)
    workers="${2:-2}"; port="${3:-7077}"
    stop
    mkdir -p "$dir/spark-home/jars"   # a Worker builds executor class paths from SPARK_HOME/jars; advkit's driver adds its own
    printf '%s\n' 'rootLogger.level = info' 'rootLogger.appenderRef.o.ref = o' 'appender.o.type = Console' 'appender.o.name = o' \
      'appender.o.layout.type = PatternLayout' 'appender.o.layout.pattern = %d{HH:mm:ss.SSS} %p %c{1}: %m%n' > "$dir/log4j2.properties"
    export SPARK_HOME="$dir/spark-home" SPARK_SCALA_VERSION=2.13 SPARK_LOCAL_IP=127.0.0.1
    opts=(-Xmx512m "-Dlog4j2.configurationFile=$dir/log4j2.properties" -Dslf4j.provider=org.apache.logging.slf4j.SLF4JServiceProvider)
    setsid java "${opts[@]}" -cp "$cp" org.apache.spark.deploy.master.Master --host 127.0.0.1 --port "$port" --webui-port 8080 \
      > "$dir/master.log" 2>&1 < /dev/null & echo $! > "$dir/master.pid"
    for ((i = 0; i < workers; i++)); do
      setsid java "${opts[@]}" -cp "$cp" org.apache.spark.deploy.worker.Worker --host 127.0.0.1 --cores 1 --memory 4g \
        --webui-port $((8081 + i)) --work-dir "$dir/work$i" "spark://127.0.0.1:$port" > "$dir/worker$i.log" 2>&1 < /dev/null &
      echo $! > "$dir/worker$i.pid"
    done
    for ((i = 0; i < workers; i++)); do
      for _ in $(seq 600); do grep -q "Successfully registered with master" "$dir/worker$i.log" && break; sleep 0.2; done
      grep -q "Successfully registered with master" "$dir/worker$i.log" || { echo "worker $i did not register: $dir/worker$i.log" >&2; stop; exit 1; }
    done
    echo "spark://127.0.0.1:$port"
    ;;
  stop) stop ;;
  *) echo "usage: $0 start [WORKERS] [PORT] | stop" >&2; exit 2 ;;
esac
