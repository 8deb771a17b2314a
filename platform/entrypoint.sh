#!/usr/bin/env bash
# Container entrypoint: the first argument names the process to run.
#
#   web      gunicorn serving config.wsgi (extra arguments go to gunicorn)
#   worker   the django-q cluster that runs background jobs
#   migrate  apply migrations and create the database cache table, then exit
#   anything else is run as given, e.g. `python manage.py check --deploy` or `bash`
#
# Every process is started with exec: it replaces this shell (PID 1 in a container) and so
# receives the platform's SIGTERM itself and can shut down gracefully.
set -euo pipefail

# Run from the project root whatever the caller's working directory.
cd "$(dirname "$(readlink -f "$0")")/.."

role="${1:-web}"
if [ "$#" -gt 0 ]; then
    shift
fi

case "$role" in
    web)
        exec gunicorn --config platform/gunicorn.conf.py "$@" config.wsgi
        ;;
    worker)
        exec python manage.py qcluster "$@"
        ;;
    migrate)
        python manage.py migrate --noinput
        # A no-op unless the cache is the database (production without REDIS_URL).
        exec python manage.py createcachetable
        ;;
    *)
        exec "$role" "$@"
        ;;
esac
