package dbtest

import "syscall"

// memoryDir is /dev/shm when it is a memory file system with room for a few hundred test databases (a container's
// default 64 MB is not), else "".
func memoryDir() string {
	const dir, tmpfsMagic, room = "/dev/shm", 0x01021994, 2 << 30
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil || st.Type != tmpfsMagic || uint64(st.Bavail)*uint64(st.Bsize) < room {
		return ""
	}
	if err := syscall.Access(dir, 2 /* W_OK */); err != nil {
		return ""
	}
	return dir
}
