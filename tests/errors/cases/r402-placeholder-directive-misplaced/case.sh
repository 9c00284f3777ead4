# title: a stargen:placeholder directive that does not point at its placeholder
# about: The runner fills only the spot gen declared, and checks that it holds ${NAME} as the whole of a '...' literal.
cp -r steps s
printf '%s\n' '-- stargen:placeholder name=REDSHIFT_IAM_ROLE type=iam_role offset=9' \
    "SELECT '\${REDSHIFT_IAM_ROLE}';" >s/06_ph.sql
runner s
