package dev.cairn.api;

/** A setting, the configuration file or the database URI is wrong; nothing was changed. */
public class ConfigurationException extends CairnException {

    private static final long serialVersionUID = 1L;

    public ConfigurationException(String message) {
        super(Kind.CONFIGURATION, message);
    }

    public ConfigurationException(String message, Throwable cause) {
        super(Kind.CONFIGURATION, message, cause);
    }
}
