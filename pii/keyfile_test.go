package pii_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"daihou"
	"daihou/pii"
)

func TestCreateKeyFile(t *testing.T) {
	dir := t.TempDir()
	path := pii.KeyFileFor(filepath.Join(dir, "book.db"))
	if filepath.Base(path) != "book.db.key" {
		t.Errorf("KeyFileFor = %s", path)
	}
	k, err := pii.CreateKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && st.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %04o, want 0600", st.Mode().Perm())
	}
	back, err := pii.LoadKeys("", path)
	if err != nil {
		t.Fatal(err)
	}
	ct, _ := k.Seal(pii.Phone, "13800135678")
	if pt, err := back.Open(pii.Phone, ct); err != nil || pt != "13800135678" {
		t.Errorf("the key file does not hold the ring: %q, %v", pt, err)
	}

	before, _ := os.ReadFile(path)
	_, err = pii.CreateKeyFile(path)
	if !errors.Is(err, pii.ErrKeyFileExists) || daihou.ErrorCode(err) != daihou.ECONFLICT || !strings.Contains(err.Error(), "never overwrites") {
		t.Errorf("CreateKeyFile over an existing file: %v", err)
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Error("CreateKeyFile changed an existing key file")
	}
	if _, err := pii.CreateKeyFile(filepath.Join(dir, "missing", "x.key")); daihou.ErrorCode(err) != daihou.EINTERNAL {
		t.Errorf("CreateKeyFile in a missing directory: %v", err)
	}
}

func TestReadKeyFileRefusesLooseModes(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix modes")
	}
	path := filepath.Join(t.TempDir(), "book.db.key")
	if err := os.WriteFile(path, []byte(key1+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := pii.ReadKeyFile(path)
	if !errors.Is(err, pii.ErrBadKey) || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("ReadKeyFile of a 0644 file: %v", err)
	}
	os.Chmod(path, 0o600)
	if _, err := pii.ReadKeyFile(path); err != nil {
		t.Errorf("ReadKeyFile after chmod 600: %v", err)
	}
	os.WriteFile(path, []byte(strings.Repeat("#", 2<<20)), 0o600)
	if _, err := pii.ReadKeyFile(path); !errors.Is(err, pii.ErrBadKey) {
		t.Errorf("ReadKeyFile of a 2 MiB file: %v", err)
	}
}

func TestLoadKeys(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "book.db.key")
	_, err := pii.LoadKeys("", path)
	if !errors.Is(err, pii.ErrNoKey) || daihou.ErrorCode(err) != daihou.ENOTFOUND || !strings.Contains(err.Error(), "DAIHOU_KEY") {
		t.Errorf("LoadKeys with neither: %v", err)
	}
	fileRing, err := pii.CreateKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	envRing, err := pii.LoadKeys("7:"+key2, path)
	if err != nil || envRing.Current() != 7 {
		t.Fatalf("DAIHOU_KEY does not take precedence: %v, %v", envRing, err)
	}
	if _, err := pii.LoadKeys("nonsense", path); !errors.Is(err, pii.ErrBadKey) || !strings.Contains(err.Error(), "DAIHOU_KEY") {
		t.Errorf("a bad DAIHOU_KEY: %v", err)
	}
	got, err := pii.LoadKeys("", path)
	if err != nil || got.Current() != fileRing.Current() {
		t.Errorf("LoadKeys from the file: %v, %v", got, err)
	}
	os.WriteFile(filepath.Join(dir, "bad.key"), []byte("1:short"), 0o600)
	if _, err := pii.LoadKeys("", filepath.Join(dir, "bad.key")); !errors.Is(err, pii.ErrBadKey) || !strings.Contains(err.Error(), "bad.key") {
		t.Errorf("a bad key file: %v", err)
	}
}

func TestWriteKeyFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "book.db.key")
	k, err := pii.CreateKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rotated, err := k.WithNewKey()
	if err != nil {
		t.Fatal(err)
	}
	if err := pii.WriteKeyFile(path, rotated); err != nil {
		t.Fatal(err)
	}
	back, err := pii.ReadKeyFile(path)
	if err != nil || back.Current() != 2 || len(back.Versions()) != 2 {
		t.Fatalf("after WriteKeyFile: %v, %v", back, err)
	}
	st, _ := os.Stat(path)
	if runtime.GOOS != "windows" && st.Mode().Perm() != 0o600 {
		t.Errorf("mode %04o after replacing", st.Mode().Perm())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("files left beside the key file: %v", entries)
	}
	if _, err := os.Stat(path + ".new"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("temporary file left: %v", err)
	}
}
