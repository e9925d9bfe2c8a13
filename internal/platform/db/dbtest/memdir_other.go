//go:build !linux

package dbtest

// memoryDir finds no memory file system outside Linux: the databases live in os.TempDir.
func memoryDir() string { return "" }
