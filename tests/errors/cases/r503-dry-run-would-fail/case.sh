# title: a dry run whose real run would stop
# about: --dry-run runs the same input checks (without S3 requests) and exits 2 when the run would stop before its first step.
runner --dry-run --data data steps >/dev/null
