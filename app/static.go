package app

import (
	"io/fs"
	"net/http"
)

func fsSub(dir string) (http.FileSystem, error) {
	sub, err := fs.Sub(assets, dir)
	if err != nil {
		return nil, err
	}
	return http.FS(sub), nil
}
