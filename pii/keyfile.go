package pii

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"

	"daihou"
)

// KeyFileFor returns where the key file of the database at dbPath lives:
// beside it, as dbPath + ".key".
func KeyFileFor(dbPath string) string { return dbPath + ".key" }

// LoadKeys returns the key ring from env, the value of DAIHOU_KEY, when it
// is not empty, and otherwise from the key file at path. Neither gives an
// error wrapping ErrNoKey (code ENOTFOUND) that says how to make one.
func LoadKeys(env, path string) (*KeyRing, error) {
	if env != "" {
		k, err := ParseKeys(env)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", KeyEnv, err)
		}
		return k, nil
	}
	k, err := ReadKeyFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, daihou.Errorf(daihou.ENOTFOUND, "%w: %s is not set and there is no key file %s; set %s, or let daihou create the key file when it opens a new database",
			ErrNoKey, KeyEnv, path, KeyEnv)
	}
	return k, err
}

// maxKeyFile bounds what ReadKeyFile reads: a key file is a few lines.
const maxKeyFile = 1 << 20

// ReadKeyFile reads the key file at path. On Unix it refuses a file that
// its group or others can read or write, as ssh refuses such a private key:
// a key anyone on the machine can read protects nothing.
func ReadKeyFile(path string) (*KeyRing, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if runtime.GOOS != "windows" && st.Mode().Perm()&0o077 != 0 {
		return nil, daihou.Errorf(daihou.EINVALID, "%w: key file %s has mode %04o, so others on this machine can read it; run chmod 600 %s",
			ErrBadKey, path, st.Mode().Perm(), path)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxKeyFile+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxKeyFile {
		return nil, daihou.Errorf(daihou.EINVALID, "%w: %s is over 1 MiB, so it is not a key file", ErrBadKey, path)
	}
	k, err := ParseKeys(string(b))
	if err != nil {
		return nil, fmt.Errorf("key file %s: %w", path, err)
	}
	return k, nil
}

// CreateKeyFile creates a key file at path holding a new ring of one random
// key, with mode 0600, and returns the ring. The caller decides when: on
// first use of a new database. It never overwrites: an existing file may be
// the only copy of the key that reads a database, so it returns an error
// wrapping ErrKeyFileExists (code ECONFLICT). It fails, and leaves no file,
// if the mode cannot be set to 0600 (a file system without Unix
// permissions). The file and its directory are synced before it returns,
// since values sealed under a key that a crash loses are lost too.
func CreateKeyFile(path string) (*KeyRing, error) {
	k := NewKeyRing()
	if err := writeNew(path, k.KeyFile()); err != nil {
		return nil, err
	}
	return k, nil
}

// WriteKeyFile replaces the key file at path with ring, atomically: a new
// file with mode 0600 is written and synced beside it, then renamed over
// it, so a crash leaves the old file or the new one, never half of one. It
// is how `daihou key rotate` records a ring from WithNewKey before sealing
// under the new key, and one from Without once nothing needs the old one.
func WriteKeyFile(path string, ring *KeyRing) error {
	tmp := fmt.Sprintf("%s.new-%d", path, os.Getpid())
	_ = os.Remove(tmp) // a leftover of a crashed run of this process id
	if err := writeNew(tmp, ring.KeyFile()); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return daihou.Errorf(daihou.EINTERNAL, "replacing key file %s: %w", path, err)
	}
	return syncDir(filepath.Dir(path))
}

// writeNew creates path exclusively with mode 0600 and writes data to it.
func writeNew(path string, data []byte) (err error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return daihou.Errorf(daihou.ECONFLICT, "%w: %s already exists, and daihou never overwrites a key file: it may be the only copy of the key that reads the database; move it away only if you are sure", ErrKeyFileExists, path)
	}
	if err != nil {
		return daihou.Errorf(daihou.EINTERNAL, "creating key file: %w", err)
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = daihou.Errorf(daihou.EINTERNAL, "closing key file %s: %w", path, cerr)
		}
		if err != nil {
			os.Remove(path)
		}
	}()
	// The umask may have narrowed the mode but also left it wider than
	// asked on odd file systems: set it, then check what the file really has.
	if runtime.GOOS != "windows" {
		if err := f.Chmod(0o600); err != nil {
			return daihou.Errorf(daihou.EINTERNAL, "setting mode 0600 on key file %s: %w", path, err)
		}
		st, err := f.Stat()
		if err != nil {
			return daihou.Errorf(daihou.EINTERNAL, "checking key file %s: %w", path, err)
		}
		if st.Mode().Perm() != 0o600 {
			return daihou.Errorf(daihou.EINTERNAL, "key file %s: the file system gives it mode %04o instead of 0600; keep the database on a file system with Unix permissions, or set %s instead", path, st.Mode().Perm(), KeyEnv)
		}
	}
	if _, err := f.Write(data); err != nil {
		return daihou.Errorf(daihou.EINTERNAL, "writing key file %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return daihou.Errorf(daihou.EINTERNAL, "syncing key file %s: %w", path, err)
	}
	return syncDir(filepath.Dir(path))
}

func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return daihou.Errorf(daihou.EINTERNAL, "syncing directory %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return daihou.Errorf(daihou.EINTERNAL, "syncing directory %s: %w", dir, err)
	}
	return nil
}
