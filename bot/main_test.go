package bot_test

import (
	"testing"

	"github.com/loyaltybot/loyaltybot/domain/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }
