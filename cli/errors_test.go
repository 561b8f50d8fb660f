package cli

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"daihou/pii"
	"daihou/store"
	"daihou/store/storetest"
)

// Each mistake a new user made gets an answer that says what is wrong and
// what to do, and the exit code a script can branch on.
func TestCLIErrorsSayWhatToDo(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "book.db")
	for _, tt := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"database in a missing folder", []string{"report", "--db", filepath.Join(dir, "nope", "x.db")}, 3, "the folder " + filepath.Join(dir, "nope") + " does not exist"},
		{"no database at all", []string{"report", "--db", filepath.Join(dir, "absent.db")}, 4, "no database at"},
		{"a rate that is not a number", []string{"product", "put", "CL", "--lgd", "abc"}, 3, `--lgd: rate is not a decimal number: "abc"`},
		{"an impossible date", []string{"schedule", "--principal", "1000", "--rate", "0.1", "--term", "12", "--start", "2026-02-30"}, 3, "February 2026 has 28 days"},
		{"an unknown flag is a usage error", []string{"eod", "--bogus"}, 2, "flag provided but not defined: -bogus (see 'daihou help eod')"},
		{"a flag's bad value is a usage error", []string{"eod", "--chunk", "many"}, 2, `invalid value "many" for flag -chunk`},
		{"one rate limit for the calculator too", []string{"schedule", "--principal", "1000", "--rate", "0.5", "--term", "12", "--start", "2026-02-01"}, 3, "config set rate.max 0.5"},
		{"a book never opened has no business date", []string{"import", "payments", copyFile(t, "../imports/testdata/payments_good.csv", dir)}, 5, "this book has no business date yet"},
		{"close of business on a new book wants the date to open on", []string{"eod"}, 2, "give the date to open it on"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, errs, code := run(t, db, tt.args...)
			if code != tt.code || !strings.Contains(errs, tt.want) {
				t.Errorf("daihou %s: exit %d %q, want exit %d saying %q", strings.Join(tt.args, " "), code, errs, tt.code, tt.want)
			}
		})
	}
}

// A product changed with one flag keeps its other parameters.
func TestProductPutChangesOnlyWhatItNames(t *testing.T) {
	db := filepath.Join(t.TempDir(), "book.db")
	if _, errs, code := run(t, db, "product", "put", "CL", "--lgd", "0.6", "--compound", "--tolerance", "5"); code != 0 {
		t.Fatal(errs)
	}
	if _, errs, code := run(t, db, "product", "put", "CL", "--grace", "5"); code != 0 {
		t.Fatal(errs)
	}
	out, _, _ := run(t, db, "product", "list", "--json")
	var prods []struct {
		LGD       string
		Compound  bool
		GraceDays int
		Tolerance string
	}
	if err := json.Unmarshal([]byte(out), &prods); err != nil || len(prods) != 1 {
		t.Fatalf("product list: %v %s", err, out)
	}
	if p := prods[0]; p.LGD != "0.6" || !p.Compound || p.GraceDays != 5 || p.Tolerance != "5.00" {
		t.Errorf("after --grace 5: %+v, want LGD 0.6, compound, tolerance 5.00 kept and grace 5", p)
	}
}

// A book is opened on the date it is taken over: the business date is that,
// not the wall clock; loans disbursed after it are refused; a loan looked
// at before its disbursement says so.
func TestBookOpensOnItsDate(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "book.db")
	now = func() time.Time { return time.Date(2031, 5, 5, 9, 0, 0, 0, time.UTC) }
	t.Cleanup(func() { now = time.Now })
	for _, p := range []string{"CONS-12", "CONS-24", "CONS-36", "CONS-6", "MORT-240", "MORT-360", "SME-OP-12", "SME-OP-24", "BULLET-6", "CAR-60", "CARD-INST-12"} {
		if _, errs, code := run(t, db, "product", "put", p); code != 0 {
			t.Fatal(errs)
		}
	}
	loans := copyFile(t, "../imports/testdata/loans_good.csv", dir)
	if _, errs, code := run(t, db, "import", "loans", loans); code != 5 || !strings.Contains(errs, "--business-date") {
		t.Errorf("import into a book with no business date: exit %d %q, want 5 asking for --business-date", code, errs)
	}
	out, errs, code := run(t, db, "import", "loans", loans, "--business-date", "2024-01-20", "--json")
	if code != 7 {
		t.Fatalf("import with loans disbursed after the opening date: exit %d %s %s, want 7", code, errs, out)
	}
	var res struct {
		Imported int
		Rejected []struct {
			Line   int
			Reason string
		}
	}
	json.Unmarshal([]byte(out), &res)
	if res.Imported == 0 || len(res.Rejected) == 0 || !strings.Contains(res.Rejected[0].Reason, "after the business date 2024-01-20") {
		t.Errorf("import: %+v, want the loans disbursed after 2024-01-20 rejected as such", res)
	}
	if out, _, _ := run(t, db, "loan", "show", "LN202401150001", "--as-of", "2024-01-01"); !strings.Contains(out, "not yet disbursed") {
		t.Errorf("loan before its disbursement:\n%s", out)
	}
	// The same file again, once the book reached the later dates, adds
	// those and finds the others present; the old rejects file goes.
	if _, errs, code := run(t, db, "eod", "--date", "2024-03-20"); code != 0 {
		t.Fatal(errs)
	}
	out, errs, code = run(t, db, "import", "loans", loans, "--json")
	res.Rejected = nil
	json.Unmarshal([]byte(out), &res)
	if code != 0 || len(res.Rejected) != 0 {
		t.Fatalf("re-delivery once the book reached its dates: exit %d %s %+v", code, errs, res)
	}
	if _, err := os.Stat(loans + ".rejects.csv"); !os.IsNotExist(err) {
		t.Errorf("a clean import left the earlier rejects file: %v", err)
	}
}

// Close of business run again on a closed date keeps the close's summary.
func TestRerunKeepsTheClosesSummary(t *testing.T) {
	db := filepath.Join(t.TempDir(), "book.db")
	if _, errs, code := run(t, db, "gen", "--loans", "300", "--months", "6", "--until", "2026-03-31"); code != 0 {
		t.Fatal(errs)
	}
	if _, errs, code := run(t, db, "eod", "--date", "2026-04-01"); code != 0 {
		t.Fatal(errs)
	}
	before, _, _ := run(t, db, "report", "--json")
	if _, errs, code := run(t, db, "eod", "--date", "2026-04-01", "--full"); code != 0 {
		t.Fatal(errs)
	}
	after, _, _ := run(t, db, "report", "--json")
	if before != after {
		t.Error("a full rerun of a closed date changed its report")
	}
	out, errs, code := run(t, db, "report", "--date", "2026-03-15")
	if code != 4 || !strings.Contains(errs, "no figures were kept for 2026-03-15") || strings.Contains(errs, "run 'daihou eod --date 2026-03-15'") {
		t.Errorf("report of a date inside the history: exit %d %q %s", code, errs, out)
	}
	if _, errs, code := run(t, db, "report", "--date", "2026-05-01"); code != 4 || !strings.Contains(errs, "run 'daihou eod --date 2026-05-01'") {
		t.Errorf("report of a date not closed yet: exit %d %q", code, errs)
	}
}

// A read-only book (a copy for the auditors, a replica) can be reported on
// and looked into. As root, the file's permissions bind nobody, so the
// command runs as user nobody.
func TestReadOnlyBook(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the read-only run needs Linux's runuser")
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "book.db")
	if _, errs, code := run(t, db, "gen", "--loans", "200", "--months", "6", "--until", "2026-03-31"); code != 0 {
		t.Fatal(errs)
	}
	bin := filepath.Join(dir, "daihou")
	if out, err := exec.Command("go", "build", "-o", bin, "daihou/cmd/daihou").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, p := range []string{dir, filepath.Dir(dir)} {
		os.Chmod(p, 0o555)
	}
	os.Chmod(db, 0o444)
	t.Cleanup(func() { os.Chmod(dir, 0o755) })
	cmd := exec.Command(bin, "report", "--db", db)
	if os.Getuid() == 0 {
		runuser, err := exec.LookPath("runuser")
		if err != nil {
			t.Skip("running as root without runuser: the file's permissions would not bind")
		}
		cmd = exec.Command(runuser, "-u", "nobody", "--", bin, "report", "--db", db)
	}
	// A reader of the book needs its key too: not the key file, which is
	// its owner's alone (0600), but the keys in $DAIHOU_KEY.
	cmd.Env = append(os.Environ(), storetest.KeyEnv())
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "NPL ratio") {
		t.Errorf("report on a read-only book: %v\n%s", err, out)
	}
}

// The embedded default keeps its key in a file beside the book, made on
// first use with mode 0600; a book whose data is sealed will not open
// without it, nor with another key; 'key rotate' re-seals under a new key
// and the book still reads.
func TestKeyFileBesideTheBook(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "book.db")
	env := map[string]string{"DAIHOU_DB": db}
	if _, errs, code := runEnv(t, env, "gen", "--loans", "60", "--months", "3", "--until", "2026-03-31", "--signals"); code != 0 {
		t.Fatal(errs)
	}
	records := func() []store.SignalRecord {
		t.Helper()
		s, err := store.OpenReadOnly(context.Background(), db)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		keys, err := pii.ReadKeyFile(db + ".key")
		if err == nil {
			err = s.UseKeys(context.Background(), keys)
		}
		var out []store.SignalRecord
		for b := int64(1); err == nil && b <= 60; b++ {
			var rs []store.SignalRecord
			rs, err = s.BorrowerRecords(context.Background(), b, 1000)
			out = append(out, rs...)
		}
		if err != nil {
			t.Fatalf("the data-source records do not open: %v", err)
		}
		return out
	}
	sealed := records()
	if len(sealed) == 0 {
		t.Fatal("gen --signals stored no data-source records")
	}
	st, err := os.Stat(db + ".key")
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, mode %v; want one with mode 0600", err, st.Mode().Perm())
	}
	before, errs, code := runEnv(t, env, "loan", "show", "1")
	if code != 0 || !strings.Contains(before, "*") {
		t.Fatalf("loan show: exit %d %s\n%s", code, errs, before)
	}
	os.Rename(db+".key", db+".key.away")
	if _, errs, code := runEnv(t, env, "loan", "show", "1"); code != 5 || !strings.Contains(errs, "DAIHOU_KEY") {
		t.Errorf("without its key: exit %d %q, want 5 and what to set", code, errs)
	}
	other := map[string]string{"DAIHOU_DB": db, "DAIHOU_KEY": string(storetest.Keys.KeyFile())}
	if _, errs, code := runEnv(t, other, "loan", "show", "1"); code != 5 || !strings.Contains(errs, "does not open") {
		t.Errorf("with another key: exit %d %q, want 5", code, errs)
	}
	os.Rename(db+".key.away", db+".key")
	out, errs, code := runEnv(t, env, "key", "rotate")
	if code != 0 || !strings.Contains(out, "new key version 2") {
		t.Fatalf("key rotate: exit %d %s\n%s", code, errs, out)
	}
	after, errs, code := runEnv(t, env, "loan", "show", "1")
	if code != 0 || after != before {
		t.Errorf("after rotation: exit %d %s\n%s\nwant\n%s", code, errs, after, before)
	}
	if out, errs, code := runEnv(t, env, "key", "rotate", "--resume", "--retire"); code != 0 || !strings.Contains(out, "0 borrowers and data-source records re-sealed") || !strings.Contains(out, "version 2 only") {
		t.Errorf("key rotate --resume --retire: exit %d %s\n%s", code, errs, out)
	}
	if _, errs, code := runEnv(t, env, "loan", "show", "1"); code != 0 {
		t.Errorf("after retiring the old key: exit %d %s", code, errs)
	}
	// The raw records were re-sealed too: they open under the new key
	// alone, as they were.
	if diff := cmp.Diff(sealed, records()); diff != "" {
		t.Errorf("data-source records after rotation (-before +after):\n%s", diff)
	}
	if out, errs, code := runEnv(t, env, "audit", "verify"); code != 0 || !strings.Contains(out, "sound") {
		t.Errorf("audit verify after rotation: exit %d %s %s", code, errs, out)
	}
}
