# title: the step folder does not exist
runner out/postgres
