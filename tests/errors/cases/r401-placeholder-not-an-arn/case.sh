# title: a placeholder value that is not an IAM role ARN
# about: The value is checked against the ARN grammar before anything runs, and never shown (issue 13: a value ending in \'); ... would otherwise end the literal on Redshift).
mkdir -p data/events && printf '{"id": 1, "name": "a", "score": 1.5, "ts": 1541105830796, "ok": true, "userId": 7}\n' >data/events/a.json   # the inputs are fine
cp -r steps s
printf '%s\n' '-- stargen:placeholder name=REDSHIFT_IAM_ROLE type=iam_role offset=8' \
    "SELECT '\${REDSHIFT_IAM_ROLE}';" >s/06_ph.sql
REDSHIFT_IAM_ROLE="arn:aws:iam::123456789012:role/x\\'); CREATE TABLE pwned (i int); --" runner s
