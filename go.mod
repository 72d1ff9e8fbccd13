module github.com/signaal-nl/signaal

go 1.26
