package web_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"daihou/store/storetest"
	"daihou/web"
)

// BenchmarkConsoleQuality measures the dashboards' server time on the
// 3,000-loan test book, as a manager sees them: the overview whole, by
// product and by officer (read live from the officer's loans), asset
// quality and the five-tier sheet.
//
//	go test ./web -run '^$' -bench ConsoleQuality -benchtime 20x
func BenchmarkConsoleQuality(b *testing.B) {
	db := storetest.OpenPath(b, storetest.Gen(b, storetest.GenConfig))
	as := storetest.Users(b, db, "bench=manager")["bench"]
	token, _, err := db.StartSession(as, time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	officers, err := db.Officers(as, "", 1)
	if err != nil || len(officers) == 0 {
		b.Fatalf("officers: %v %v", officers, err)
	}
	h := web.New(db, nil).Handler()
	for _, page := range []struct{ name, path string }{
		{"overview", "/console/"},
		{"overview-product", "/console/?product=CONSUMER"},
		{"overview-officer", "/console/?officer=" + officers[0]},
		{"quality", "/console/quality"},
		{"five-tier", "/console/reports/five-tier"},
	} {
		b.Run(page.name, func(b *testing.B) {
			for b.Loop() {
				req := httptest.NewRequest("GET", page.path, nil)
				req.AddCookie(&http.Cookie{Name: "daihou_session", Value: token})
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != 200 {
					b.Fatalf("GET %s: %d %.300s", page.path, rec.Code, rec.Body.String())
				}
			}
		})
	}
}
