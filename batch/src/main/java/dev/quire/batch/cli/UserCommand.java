package dev.quire.batch.cli;

import dev.quire.web.auth.UserAccount;
import dev.quire.web.auth.Users;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "user", mixinStandardHelpOptions = true, description = "Manage who may sign in to the web UI.",
        subcommands = {UserCommand.Add.class, UserCommand.ListUsers.class})
public class UserCommand {

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = {"Add a user (or set an existing user's password and role). The password is read from the",
                "terminal (asked twice) or, when standard input is not a terminal, from its first line."})
    public static class Add implements Callable<Integer> {
        @Parameters(index = "0", description = "user name")
        String name;

        @Option(names = "--admin", description = "role admin (manages users, starts jobs); default: reviewer")
        boolean admin;

        private final Users users;

        public Add(Users users) {
            this.users = users;
        }

        @Override
        public Integer call() throws IOException {
            char[] password = readPassword();
            if (password == null) {
                System.err.println("quire user add: no password given (type it at the prompt or pipe it on standard input)");
                return 2;
            }
            try {
                Users.User u = users.put(name, admin ? UserAccount.ADMIN : UserAccount.REVIEWER, password);
                System.out.println("user " + u.name() + " (" + u.role() + ") saved");
                return 0;
            } catch (IllegalArgumentException e) {
                System.err.println("quire user add: " + e.getMessage());
                return 1;
            } finally {
                Arrays.fill(password, '\0');
            }
        }

        private char[] readPassword() throws IOException {
            Console console = System.console();
            if (console != null && console.isTerminal()) {
                char[] first = console.readPassword("Password for %s: ", name);
                char[] second = console.readPassword("Again: ");
                if (first == null || !Arrays.equals(first, second)) {
                    System.err.println("quire user add: the passwords differ");
                    return null;
                }
                return first;
            }
            String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            return line == null ? null : line.toCharArray();
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the users and their roles.")
    public static class ListUsers implements Callable<Integer> {
        private final Users users;

        public ListUsers(Users users) {
            this.users = users;
        }

        @Override
        public Integer call() {
            users.list().forEach(u -> System.out.println(u.name() + "\t" + u.role()));
            return 0;
        }
    }
}
