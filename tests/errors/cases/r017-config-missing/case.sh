# title: --config names no file
runner --config dwh.cfg steps
