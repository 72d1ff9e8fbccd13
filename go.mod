module github.com/signaal-nl/signaal

go 1.26.0

require github.com/mattn/go-sqlite3 v1.14.53

require golang.org/x/mod v0.42.0
