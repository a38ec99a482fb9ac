package flows

import (
	"strings"

	"github.com/nicksnyder/go-i18n/v2/i18n"

	"github.com/loyaltybot/loyaltybot/domain"
)

// /topics lets a member choose the news they get: each topic of the
// business config with a toggle, saved at the tap and shown in place.
// Marketing messages (broadcasts, later nudges) carry their own way out:
// "Don't send me <topic>" and "Stop all marketing" (see marketing).

// Values of the "topics" action. The topic id follows the colon.
const (
	topicToggle    = "t"      // /topics, menus sent before t0/t1: flip a topic
	topicSetOn     = "t1"     // /topics: turn a topic on (the button showed it off)
	topicSetOff    = "t0"     // /topics: turn a topic off (the button showed it on)
	topicOff       = "off"    // under a message: don't send me this topic
	topicOn        = "on"     // under a message: send it again after all
	topicStopAll   = "stop"   // under a message: withdraw the marketing consent (the message's topic follows)
	topicMarketing = "mkt_on" // /topics: give the marketing consent back
	topicBack      = "back"   // under a message: give it back (the message's topic follows)
)

// topicsCommand is /topics.
func topicsCommand(s *Session) error { return showTopics(s) }

// showTopics lists the topics with their state; on a tap it edits the
// message in place.
func showTopics(s *Session) error {
	if len(s.e.Business.Topics) == 0 {
		s.Say("topics.none", nil)
		return nil
	}
	choices, err := s.Tx.ListTopicChoices(s.Ctx, s.Customer.ID)
	if err != nil {
		return err
	}
	renderTopics(s, choices)
	return nil
}

// renderTopics shows the topics as choices has them (the customer's
// explicit choices, as ListTopicChoices gives them).
func renderTopics(s *Session, choices map[string]bool) {
	var b strings.Builder
	b.WriteString(s.T("topics.header", nil))
	var rows [][]Button
	for _, t := range s.e.Business.Topics {
		// The button does what it shows, even on an older menu: a
		// flip would undo a choice made in a newer one.
		id, set := "topics.item.off", topicSetOn
		if t.Subscribed(choices) {
			id, set = "topics.item.on", topicSetOff
		}
		rows = append(rows, []Button{{Text: s.T(id, map[string]any{"Title": t.TitleIn(s.Lang)}),
			Data: action("topics", set+":"+t.ID)}})
	}
	if !s.Customer.Marketing {
		b.WriteString("\n\n" + s.T("topics.marketing_off", nil))
		rows = append(rows, []Button{{Text: s.T("privacy.marketing.on", nil), Data: action("topics", topicMarketing)}})
	}
	r := Reply{Text: b.String(), Inline: rows}
	if s.In.Kind == InputCallback {
		s.Edit(r)
	} else {
		s.Send(r)
	}
}

// topicsAction handles the topic buttons, of /topics and under marketing
// messages. Only the member the chat belongs to can tap them, and only
// topics of the config count.
func topicsAction(s *Session, value string) error {
	if !s.Customer.Member() {
		s.Toast("error.stale_button")
		return nil
	}
	what, id, _ := strings.Cut(value, ":")
	t, known := s.e.Business.Topic(id)
	switch {
	case what == topicStopAll:
		if err := s.e.Service.SetMarketing(s.Ctx, s.Tx, s.Customer, false); err != nil {
			return err
		}
		s.Toast("marketing.stopped")
		editWaysOut(s, [][]Button{{{Text: s.T("privacy.marketing.on", nil), Data: action("topics", topicBack+":"+t.ID)}}})
		return nil
	case what == topicMarketing || what == topicBack:
		if err := s.e.Service.SetMarketing(s.Ctx, s.Tx, s.Customer, true); err != nil {
			return err
		}
		s.Toast("privacy.marketing.now_on")
		if what == topicMarketing {
			return showTopics(s)
		}
		// Under a message: its ways out come back as they stand.
		unsubscribed := false
		if known {
			choices, err := s.Tx.ListTopicChoices(s.Ctx, s.Customer.ID)
			if err != nil {
				return err
			}
			unsubscribed = !t.Subscribed(choices)
		}
		editWaysOut(s, s.e.marketingButtons(s.loc, t.ID, t.TitleIn(s.Lang), unsubscribed))
		return nil
	case !known:
	case what == topicToggle || what == topicSetOn || what == topicSetOff:
		choices, err := s.Tx.ListTopicChoices(s.Ctx, s.Customer.ID)
		if err != nil {
			return err
		}
		on := what == topicSetOn || what == topicToggle && !t.Subscribed(choices)
		if err := s.e.Service.SetTopic(s.Ctx, s.Tx, s.Customer, t.ID, on); err != nil {
			return err
		}
		// The menu as the write leaves it, without reading it back.
		choices[t.ID] = on
		renderTopics(s, choices)
		return nil
	case what == topicOff || what == topicOn:
		on := what == topicOn
		if err := s.e.Service.SetTopic(s.Ctx, s.Tx, s.Customer, t.ID, on); err != nil {
			return err
		}
		title := map[string]any{"Title": t.TitleIn(s.Lang)}
		if on && !s.Customer.Marketing {
			// Without the consent nothing comes, whatever the topic
			// (an older message's button, tapped after "Stop all"):
			// the choice is kept, and the way back stays.
			s.callbackText = s.T("marketing.resubscribed_consent_off", title)
			editWaysOut(s, [][]Button{{{Text: s.T("privacy.marketing.on", nil), Data: action("topics", topicBack+":"+t.ID)}}})
			return nil
		}
		toast := "marketing.unsubscribed"
		if on {
			toast = "marketing.resubscribed"
		}
		s.callbackText = s.T(toast, title)
		editWaysOut(s, s.e.marketingButtons(s.loc, t.ID, title["Title"].(string), !on))
		return nil
	}
	s.Toast("error.stale_button")
	return nil
}

// editWaysOut puts rows in place of the ways out under the marketing
// message tapped (its "topics" buttons), keeping the message's own
// buttons above them: a poll's answers, a nudge's card or offer.
func editWaysOut(s *Session, rows [][]Button) {
	kept := s.tappedKeyboardWithout(func(b Button) bool {
		name, _, _, _, ok := parseAction(b.Data)
		return ok && name == "topics"
	})
	s.Edit(Reply{Inline: append(kept, rows...)})
}

// marketingButtons are the ways out under a marketing message: the
// topic's own (or, once unsubscribed, the way back) and stopping all.
func (e *Engine) marketingButtons(loc *i18n.Localizer, topic, title string, unsubscribed bool) [][]Button {
	var rows [][]Button
	if topic != "" {
		b := Button{Text: e.translate(loc, "marketing.unsubscribe", map[string]any{"Title": title}), Data: action("topics", topicOff+":"+topic)}
		if unsubscribed {
			b = Button{Text: e.translate(loc, "marketing.resubscribe", map[string]any{"Title": title}), Data: action("topics", topicOn+":"+topic)}
		}
		rows = append(rows, []Button{b})
	}
	return append(rows, []Button{{Text: e.translate(loc, "marketing.stop_all", nil), Data: action("topics", topicStopAll+":"+topic)}})
}

// Marketing builds a marketing message in lang: r with the buttons that
// let the customer leave the topic ("" for a message to everyone who
// consented) or all marketing. Service messages (points, replies) are
// never built with it: they carry no such buttons and always go out.
func (e *Engine) Marketing(lang, topic string, r Reply) Reply {
	loc := e.localizer(lang)
	title := ""
	if t, ok := e.Business.Topic(topic); ok {
		title = t.TitleIn(lang)
	} else {
		topic = ""
	}
	r.Inline = append(r.Inline, e.marketingButtons(loc, topic, title, false)...)
	return r
}

func init() {
	registerCommand("topics", MenuCustomer, 33, membersOnly(topicsCommand))
	registerAction("topics", topicsAction)
	// Opening the menu and a tap on it read the choices first.
	readsAlong("topics", "topics", domain.ReadTopicChoices)
}
