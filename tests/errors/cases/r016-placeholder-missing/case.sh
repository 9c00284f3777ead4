# title: a declared placeholder with no value
# about: Only placeholders gen declared (-- stargen:placeholder) need a value; every missing one is named, with the file that declares it, before anything runs. A ${NAME} anywhere else is ordinary text.
cp -r steps s
printf '%s\n' '-- stargen:placeholder name=MY_ROLE_ARN type=iam_role offset=8' \
    '-- stargen:placeholder name=OTHER_ROLE type=iam_role offset=26' \
    "SELECT '\${MY_ROLE_ARN}', '\${OTHER_ROLE}', '\${NOT_DECLARED}';" >s/06_ph.sql
runner s
