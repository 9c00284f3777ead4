# title: a symlink loop in the source folder
# about: A folder link back to an ancestor is not followed again; a file link that loops cannot be read, and the step stops rather than load less data than is there.
# needs: a PostgreSQL server
mkdir -p data/events/sub
ln -s .. data/events/sub/loop
ln -s self.json data/events/self.json
printf '{"id": 1}\n' >data/events/sub/a.json
runner -q --data data steps
