# title: a config section header without its ]
printf '[CLUSTER\nHOST=x\n' >dwh.cfg
runner --config dwh.cfg steps
