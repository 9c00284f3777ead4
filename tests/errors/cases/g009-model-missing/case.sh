# title: the model file does not exist
gen -m no-such-model.yaml
