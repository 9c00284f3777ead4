# title: the data root is missing
# about: Every input of the steps to run is checked before anything changes (issue 11): the run stops with exit 2, having connected to nothing and changed nothing.
runner -q steps
