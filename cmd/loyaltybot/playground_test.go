package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/tgfake"
	"github.com/loyaltybot/loyaltybot/domain/postgres/pgtest"
)

// TestPlaygroundKeepsItsClockAndResets: the business clock (and the card
// secret and the added panes) survive a restart, so the data is never
// older than the clock; --clock is refused on a playground that ran
// already, and --reset starts over.
func TestPlaygroundKeepsItsClockAndResets(t *testing.T) {
	dir, url := t.TempDir(), pgtest.NewDB(t)
	open := func(o *playOptions) (*playClock, *playState, error) {
		t.Helper()
		clock := &playClock{}
		a := &app{env: &env{DatabaseURL: url}, log: slog.New(slog.NewTextHandler(io.Discard, nil)), now: clock.Time}
		st, err := openPlayground(t.Context(), a, o, dir, clock)
		if a.db != nil {
			a.db.Close()
		}
		return clock, st, err
	}
	near := func(got, want time.Time) bool { return got.Sub(want).Abs() < time.Minute }

	start := time.Date(2026, 5, 4, 12, 0, 0, 0, time.UTC)
	clock, st, err := open(&playOptions{clockAt: start})
	if err != nil || !near(clock.Time(), start) {
		t.Fatalf("fresh playground at %v: clock %v, %v", start, clock.Time(), err)
	}
	secret := st.CardSecret
	if _, err := clock.Advance(30 * 24 * time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := st.update(func(s *playState) {
		s.Panes = []tgfake.WebUser{{ID: 1001, Name: "Emma", Lang: "en", Role: "Customer 2"}}
	}); err != nil {
		t.Fatal(err)
	}

	clock, st, err = open(&playOptions{})
	if err != nil || !near(clock.Time(), start.AddDate(0, 0, 30)) {
		t.Fatalf("after a restart the clock is %v (%v), want 30 days after %v", clock.Time(), err, start)
	}
	if string(st.CardSecret) != string(secret) || len(st.Panes) != 1 {
		t.Fatalf("after a restart: new card secret or panes lost: %+v", st)
	}
	if _, err := clock.Advance(-time.Hour); err == nil {
		t.Fatal("the clock went back")
	}
	if _, _, err := open(&playOptions{clockAt: start}); err == nil || !strings.Contains(err.Error(), "--reset") {
		t.Fatalf("--clock on a playground that ran: %v, want a hint at --reset", err)
	}
	later := start.AddDate(1, 0, 0)
	clock, st, err = open(&playOptions{reset: true, clockAt: later})
	if err != nil || !near(clock.Time(), later) || len(st.Panes) != 0 || string(st.CardSecret) == string(secret) {
		t.Fatalf("--reset --clock: clock %v, state %+v, %v", clock.Time(), st, err)
	}
}

// TestPlaygroundAnswersAfterARestart: restarted on the same data folder
// (as the README says it keeps its state), the playground answers the
// first messages. The fake Bot API numbers its updates from 1 again, and
// the bot took them for the ones it handled before the restart and
// dropped them: /card after a restart got no answer.
func TestPlaygroundAnswersAfterARestart(t *testing.T) {
	env := envFunc(map[string]string{"LOYALTYBOT_DATA": reachableDir(t), "HTTP_ADDR": "127.0.0.1:0"})
	start := func() (string, func()) {
		ctx, cancel := context.WithCancel(context.Background())
		stdout, stderr := &syncBuffer{}, &syncBuffer{}
		done := make(chan error, 1)
		go func() { done <- run(ctx, []string{"playground"}, env, stdout, stderr) }()
		base := "http://" + waitFor(t, stdout, regexp.MustCompile(`open http://(\S+)`), stderr)
		return base, func() { cancel(); <-done }
	}
	base, stop := start()
	post(t, base+"/api/chats/101/text", `{"text": "/start s_central"}`)
	waitChat(t, base, "101", regexp.MustCompile(`Coffee`))
	post(t, base+"/api/chats/303/text", `{"text": "/help"}`)
	waitChat(t, base, "303", regexp.MustCompile(`"from_bot":true`))
	stop()

	base, stop = start()
	defer stop()
	post(t, base+"/api/chats/101/text", `{"text": "/start s_central"}`)
	waitChat(t, base, "101", regexp.MustCompile(`Coffee`))
}

// TestPlaygroundDayStepSendsTheDigest: a customer rates the shop at noon
// and the owner moves the clock on by a day. The evening digest ("the
// last 24 hours' ratings", at 21:00) came due in between; run at the end
// of the step instead, at noon the next day, its 24 hours began when the
// clock was moved, after the rating: the day with a rating sent nothing.
func TestPlaygroundDayStepSendsTheDigest(t *testing.T) {
	env := envFunc(map[string]string{"LOYALTYBOT_DATA": reachableDir(t), "HTTP_ADDR": "127.0.0.1:0"})
	base := startPlayground(t, env, "--clock", "2026-05-04T12:00:00+03:00")
	anna := base + "/api/chats/101"
	post(t, anna+"/text", `{"text": "/start s_central"}`)
	waitChat(t, base, "101", regexp.MustCompile(`Согласен`))
	post(t, anna+"/tap", `{"label": "✅ Согласен(на)"}`)
	waitChat(t, base, "101", regexp.MustCompile(`Поделиться номером`))
	post(t, anna+"/contact", `{}`)
	waitChat(t, base, "101", regexp.MustCompile(`Как к вам обращаться`))
	post(t, anna+"/text", `{"text": "Anna"}`)
	waitChat(t, base, "101", regexp.MustCompile(`Да, присылайте`))
	post(t, anna+"/tap", `{"label": "Нет, спасибо"}`)
	waitChat(t, base, "101", regexp.MustCompile(`Код для кассы`))
	post(t, anna+"/text", `{"text": "/feedback"}`)
	waitChat(t, base, "101", regexp.MustCompile(`Какой магазин`))
	post(t, anna+"/tap", `{"label": "Coffee & Co, Central"}`)
	waitChat(t, base, "101", regexp.MustCompile(`5⭐`))
	post(t, anna+"/tap", `{"label": "5⭐"}`)
	waitChat(t, base, "101", regexp.MustCompile(`★★★★★`))

	post(t, base+"/api/play/clock", `{"by": "1d"}`)
	waitChat(t, base, "303", regexp.MustCompile(`1 rating`))
}

// TestPlaygroundMonthBringsNudgesOnTheirDay: a customer tells her
// birthday (10 May) and the owner moves the clock on 30 days from noon.
// Walked a day at a time, each step had come to land on the evening
// digest's 21:00, inside the nudges' quiet hours (21:00–10:00): every
// nudge of the month waited for the next morning and went out with the
// next step, a day late and at 21:00; the birthday greeting came on 11 May.
func TestPlaygroundMonthBringsNudgesOnTheirDay(t *testing.T) {
	env := envFunc(map[string]string{"LOYALTYBOT_DATA": reachableDir(t), "HTTP_ADDR": "127.0.0.1:0"})
	base := startPlayground(t, env, "--clock", "2026-05-04T12:00:00+03:00")
	anna := base + "/api/chats/101"
	post(t, anna+"/text", `{"text": "/start s_central"}`)
	waitChat(t, base, "101", regexp.MustCompile(`Согласен`))
	post(t, anna+"/tap", `{"label": "✅ Согласен(на)"}`)
	waitChat(t, base, "101", regexp.MustCompile(`Поделиться номером`))
	post(t, anna+"/contact", `{}`)
	waitChat(t, base, "101", regexp.MustCompile(`Как к вам обращаться`))
	post(t, anna+"/text", `{"text": "Anna"}`)
	waitChat(t, base, "101", regexp.MustCompile(`Да, присылайте`))
	post(t, anna+"/tap", `{"label": "Да, присылайте"}`)
	waitChat(t, base, "101", regexp.MustCompile(`Код для кассы`))
	post(t, anna+"/text", `{"text": "/profile"}`)
	waitChat(t, base, "101", regexp.MustCompile(`О вас`))
	post(t, anna+"/tap", `{"label": "📝 О вас (до +105 баллов)"}`)
	waitChat(t, base, "101", regexp.MustCompile(`Когда у вас день рождения`))
	post(t, anna+"/text", `{"text": "10.05.1990"}`)
	waitChat(t, base, "101", regexp.MustCompile(`Вопрос 2`))

	post(t, base+"/api/play/clock", `{"by": "30d"}`)
	body := waitChat(t, base, "101", regexp.MustCompile(`С днём рождения`))
	var chat struct {
		Messages []struct {
			Date int64  `json:"date"`
			Text string `json:"text"`
		} `json:"messages"`
	}
	if err := json.Unmarshal([]byte(body), &chat); err != nil {
		t.Fatal(err)
	}
	moscow, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range chat.Messages {
		if !strings.Contains(m.Text, "С днём рождения") {
			continue
		}
		at := time.Unix(m.Date, 0).In(moscow)
		if at.Month() != time.May || at.Day() != 10 || at.Hour() < 10 || at.Hour() >= 21 {
			resp, err := http.Get(base + "/api/play/chats/101")
			if err != nil {
				t.Fatal(err)
			}
			panel, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			t.Errorf("the birthday greeting came at %s, want on 10 May between 10:00 and 21:00; the panel:\n%s", at.Format("02.01 15:04"), panel)
		}
	}
}
